package io.planstream.app.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.planstream.simclr.data.ImageDataset;

/** The rotations and mirror of {@link PlanTransform}. */
class PlanTransformTest {

    /**
     * One 3x3 grey image:
     * <pre>
     * 1 2 3
     * 4 5 6
     * 7 8 9
     * </pre>
     */
    private static final ImageDataset ONE = new ImageDataset("t", 1, 3, 3, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9},
            new int[] {0}, List.of("a"));

    @Test
    void shouldTurnClockwiseAndMirrorLeftToRight() {
        assertThat(PlanTransform.ROTATE_90.apply(ONE).pixels()).containsExactly(7, 4, 1, 8, 5, 2, 9, 6, 3);
        assertThat(PlanTransform.ROTATE_180.apply(ONE).pixels()).containsExactly(9, 8, 7, 6, 5, 4, 3, 2, 1);
        assertThat(PlanTransform.ROTATE_270.apply(ONE).pixels()).containsExactly(3, 6, 9, 2, 5, 8, 1, 4, 7);
        assertThat(PlanTransform.MIRROR.apply(ONE).pixels()).containsExactly(3, 2, 1, 6, 5, 4, 9, 8, 7);
        ImageDataset back = PlanTransform.ROTATE_270.apply(PlanTransform.ROTATE_90.apply(ONE));
        assertThat(back.pixels()).containsExactly(ONE.pixels());
        assertThat(PlanTransform.ROTATE_90.id()).isEqualTo("rotate90");
    }

    @Test
    void shouldFlipTopToBottomAndAcrossBothDiagonals() {
        assertThat(PlanTransform.MIRROR_VERTICAL.apply(ONE).pixels()).containsExactly(7, 8, 9, 4, 5, 6, 1, 2, 3);
        assertThat(PlanTransform.TRANSPOSE.apply(ONE).pixels()).containsExactly(1, 4, 7, 2, 5, 8, 3, 6, 9);
        assertThat(PlanTransform.ANTI_TRANSPOSE.apply(ONE).pixels()).containsExactly(9, 6, 3, 8, 5, 2, 7, 4, 1);
        // With the identity, the seven are the whole group of the square: eight different images of an asymmetric one.
        java.util.Set<String> images = new java.util.HashSet<>();
        images.add(java.util.Arrays.toString(ONE.pixels()));
        for (PlanTransform t : PlanTransform.values()) {
            images.add(java.util.Arrays.toString(t.apply(ONE).pixels()));
        }
        assertThat(images).hasSize(8);
        assertThat(PlanTransform.ANTI_TRANSPOSE.id()).isEqualTo("antitranspose");
    }

    @Test
    void shouldTransformEveryChannelAndRefuseNonSquareImages() {
        byte[] two = new byte[2 * 3 * 4];
        for (int i = 0; i < two.length; i++) {
            two[i] = (byte) i;
        }
        ImageDataset rgb = new ImageDataset("rgb", 3, 2, 2, two, new int[] {0, 0}, List.of("a"));
        // Second image, green plane (offset 16): 16 17 / 18 19 mirrored is 17 16 / 19 18.
        byte[] mirrored = PlanTransform.MIRROR.apply(rgb).pixels();
        assertThat(new byte[] {mirrored[16], mirrored[17], mirrored[18], mirrored[19]}).containsExactly(17, 16, 19, 18);
        ImageDataset wide = new ImageDataset("wide", 1, 2, 3, new byte[6], new int[] {0}, List.of("a"));
        assertThatThrownBy(() -> PlanTransform.ROTATE_90.apply(wide)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("square");
    }
}
