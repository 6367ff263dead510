package io.planstream.simclr.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LossPlotTest {

    @TempDir Path tmp;

    @Test
    void shouldSmoothWithACentredWindowThatShrinksAtTheEnds() {
        double[] avg = LossPlot.movingAverage(new double[] {1, 2, 3, 4, 5}, 3);
        assertThat(avg).containsExactly(new double[] {1.5, 2, 3, 4, 4.5}, within(1e-12));
        assertThat(LossPlot.movingAverage(new double[] {7}, 5)).containsExactly(7);
    }

    @Test
    void shouldDrawAPngOfTheStatedSizeForASingleStepOrMany() throws IOException {
        for (int n : new int[] {1, 3000}) {
            List<StepRecord> rows = new ArrayList<>();
            for (int i = 1; i <= n; i++) {
                rows.add(new StepRecord(i, 1 + i / 100, 5 * Math.exp(-i / 500.0) + 0.1 * Math.sin(i), 0.3, 100));
            }
            Path png = tmp.resolve("loss-" + n + ".png");
            LossPlot.write(png, rows, "test " + n);
            BufferedImage image = ImageIO.read(png.toFile());
            assertThat(image.getWidth()).isEqualTo(LossPlot.WIDTH);
            assertThat(image.getHeight()).isEqualTo(LossPlot.HEIGHT);
        }
    }

    @Test
    void shouldRoundTripTheHistoryCsv() throws IOException {
        Path csv = tmp.resolve(TrainingHistory.FILE);
        List<StepRecord> rows = List.of(new StepRecord(1, 1, 3.4, 0.03, 812.5, 120, 1500.5), new StepRecord(2, 1, 3.25, 0.06, 900, 120, 1502));
        TrainingHistory.write(csv, rows);
        assertThat(java.nio.file.Files.readAllLines(csv)).first().isEqualTo("step,epoch,loss,lr,images_per_s,live_arrays,rss_mb");
        assertThat(TrainingHistory.read(csv)).isEqualTo(rows);
    }

    @Test
    void shouldReadAHistoryWrittenBeforeTheMemoryColumns() throws IOException {
        Path csv = tmp.resolve(TrainingHistory.FILE);
        java.nio.file.Files.writeString(csv, "step,epoch,loss,lr,images_per_s\n1,1,3.400000,0.0300000,812.5\n");
        assertThat(TrainingHistory.read(csv)).containsExactly(new StepRecord(1, 1, 3.4, 0.03, 812.5, -1, -1));
    }

    @Test
    void shouldRefuseAHistoryRowWithTheWrongNumberOfFields() throws IOException {
        Path csv = tmp.resolve(TrainingHistory.FILE);
        java.nio.file.Files.writeString(csv, "step,epoch,loss,lr,images_per_s,live_arrays,rss_mb\n1,1,3.4,0.03,812.5\n");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> TrainingHistory.read(csv))
                .hasMessageContaining("line 2").hasMessageContaining("expected 7 fields, got 5");
    }
}
