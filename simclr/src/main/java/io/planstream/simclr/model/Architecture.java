package io.planstream.simclr.model;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The encoder families Planstream builds, with the stage layout of each.
 *
 * <p>ResNet-18/34/50 follow He et al. 2016, table 1. {@code resnet-mini} is a narrow ResNet
 * (one basic unit per stage, widths 16-32-64-128) sized to pretrain in minutes on two CPU cores;
 * it is not from a paper.
 */
public enum Architecture {
    RESNET18("resnet18", ResidualUnit.Kind.BASIC, new int[] {2, 2, 2, 2}, new int[] {64, 128, 256, 512}),
    RESNET34("resnet34", ResidualUnit.Kind.BASIC, new int[] {3, 4, 6, 3}, new int[] {64, 128, 256, 512}),
    RESNET50(
            "resnet50",
            ResidualUnit.Kind.BOTTLENECK,
            new int[] {3, 4, 6, 3},
            new int[] {64, 128, 256, 512}),
    RESNET_MINI("resnet-mini", ResidualUnit.Kind.BASIC, new int[] {1, 1, 1, 1}, new int[] {16, 32, 64, 128});

    private final String id;
    private final ResidualUnit.Kind unit;
    private final int[] depths;
    private final int[] widths;

    Architecture(String id, ResidualUnit.Kind unit, int[] depths, int[] widths) {
        this.id = id;
        this.unit = unit;
        this.depths = depths;
        this.widths = widths;
    }

    /** @return the encoder name used in configuration, manifests and on the command line */
    public String id() {
        return id;
    }

    ResidualUnit.Kind unit() {
        return unit;
    }

    int[] depths() {
        return depths.clone();
    }

    int[] widths() {
        return widths.clone();
    }

    /** @return every accepted name */
    public static List<String> ids() {
        return Arrays.stream(values()).map(Architecture::id).collect(Collectors.toList());
    }

    /**
     * @param id an encoder name, case-insensitive
     * @return the architecture
     * @throws IllegalArgumentException naming the bad value and the accepted ones
     */
    public static Architecture of(String id) {
        if (id != null) {
            String key = id.trim().toLowerCase(Locale.ROOT);
            for (Architecture a : values()) {
                if (a.id.equals(key)) {
                    return a;
                }
            }
        }
        throw new IllegalArgumentException("encoder must be one of " + ids() + ", got: " + id);
    }
}
