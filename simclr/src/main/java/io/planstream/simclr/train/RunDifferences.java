package io.planstream.simclr.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import io.planstream.simclr.artifact.ModelManifest;
import io.planstream.simclr.model.EncoderSpec;
import io.planstream.simclr.model.ProjectionHeadSpec;

/** What differs between a saved run or model and this configuration, setting by setting. */
final class RunDifferences {
    private final String source;
    private final List<String> found = new ArrayList<>();

    /** @param source what the "before" values belong to, e.g. "checkpoint" */
    RunDifferences(String source) {
        this.source = source;
    }

    void compare(String what, Object before, Object now) {
        if (!Objects.equals(before, now)) {
            found.add(what + ": " + source + " " + before + ", now " + now);
        }
    }

    /** The encoder and head of {@code manifest} against those configured, field by field. */
    void architecture(ModelManifest manifest, EncoderSpec spec, ProjectionHeadSpec head) {
        EncoderSpec e;
        ProjectionHeadSpec h;
        try {
            e = manifest.encoderSpec();
            h = manifest.headSpec();
        } catch (IllegalArgumentException ex) {
            found.add("manifest: " + ex.getMessage());
            return;
        }
        compare("encoder architecture", e.name(), spec.name());
        compare("encoder width", e.width(), spec.width());
        compare("encoder stem", e.stem().id(), spec.stem().id());
        compare("encoder input channels", e.inputChannels(), spec.inputChannels());
        compare("encoder input size", e.inputSize(), spec.inputSize());
        compare("projection head layers", h.layers(), head.layers());
        compare("projection head hidden dim", h.hiddenDim(), head.hiddenDim());
        compare("projection head output dim", h.outputDim(), head.outputDim());
        compare("projection head batch norm", h.batchNorm(), head.batchNorm());
    }

    boolean isEmpty() {
        return found.isEmpty();
    }

    @Override
    public String toString() {
        return String.join("; ", found);
    }
}
