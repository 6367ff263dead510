package io.planstream.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.planstream.app.demo.RplanFolder;
import io.planstream.ingest.generate.FloorPlanGenerator;
import io.planstream.ingest.generate.GenerationProgress;
import io.planstream.simclr.data.ImageDataset;
import io.planstream.simclr.data.Split;

/** {@code rplan:DIR}: generated RPLAN plans pretrained on and evaluated, rendered and labelled by room count. */
class RplanSourceTest {

    @Test
    void pretrainsAndEvaluatesOnAnRplanFolder(@TempDir Path tmp) throws Exception {
        Path plans = tmp.resolve("plans");
        new FloorPlanGenerator().generate(60, plans, 5, GenerationProgress.none());
        Files.writeString(plans.resolve("notes.txt"), "not a plan");
        ImageDataset train = RplanFolder.open("rplan:" + plans, Split.TRAIN, 32, 3);
        ImageDataset test = RplanFolder.open("rplan:" + plans, Split.TEST, 32, 3);
        assertThat(train.size() + test.size()).isEqualTo(60);
        assertThat(test.size()).isBetween(4, 25);
        assertThat(train.classNames()).allMatch(c -> c.endsWith(" rooms"));
        assertThat(train.labelled()).isTrue();

        Path out = tmp.resolve("run");
        CliRun pre = CliRun.run("pretrain", "--data", "rplan:" + plans, "--encoder", "resnet-mini", "--size", "32", "--epochs", "1",
                "--batch", "16", "--policy", "floorplan", "--out", out.toString());
        assertThat(pre.code()).as(pre.err()).isZero();
        CliRun eval = CliRun.run("eval", "--model", out.resolve("model").toString(), "--data", "rplan:" + plans, "--protocol", "knn",
                "--k", "5", "--json");
        assertThat(eval.code()).as(eval.err()).isZero();
        JsonNode row = new ObjectMapper().readTree(eval.lastLine());
        assertThat(row.path("n_test").asInt()).isEqualTo(test.size());
        assertThat(row.path("top1").asDouble()).isBetween(0.0, 1.0);

        CliRun missing = CliRun.run("pretrain", "--data", "rplan:" + tmp.resolve("nowhere"), "--encoder", "resnet-mini", "--epochs", "1",
                "--batch", "16", "--out", tmp.resolve("x").toString());
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).contains("not a folder");
    }
}
