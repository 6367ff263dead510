package io.planstream.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.planstream.simclr.artifact.ModelArtifact;
import io.planstream.simclr.artifact.ModelManifest;
import picocli.CommandLine;

/** {@code planstream pretrain} on 32 tiny pictures; no server, so plain JUnit. */
class PretrainCommandTest {

    @TempDir
    Path tmp;

    Path pictures;

    /** Two classes of 16 pictures each: a tinted background with a square of another colour. */
    @BeforeEach
    void writePictures() throws IOException {
        pictures = tmp.resolve("pictures");
        Random r = new Random(9);
        for (String cls : new String[] {"a", "b"}) {
            Path dir = Files.createDirectories(pictures.resolve(cls));
            for (int i = 0; i < 16; i++) {
                BufferedImage img = new BufferedImage(20, 20, BufferedImage.TYPE_INT_RGB);
                Graphics2D g = img.createGraphics();
                g.setColor(new Color(r.nextInt(0xFFFFFF)));
                g.fillRect(0, 0, 20, 20);
                g.setColor(new Color(r.nextInt(0xFFFFFF)));
                int s = cls.equals("a") ? 6 : 12;
                g.fillRect(r.nextInt(20 - s), r.nextInt(20 - s), s, s);
                g.dispose();
                ImageIO.write(img, "png", dir.resolve(String.format("%02d.png", i)).toFile());
            }
        }
    }

    @Test
    void shouldPretrainStopAndResumeWritingModelPlotAndHistory() throws IOException {
        Path out = tmp.resolve("out");
        String[] args = {"pretrain", "--data", pictures.toString(), "--encoder", "resnet-mini", "--size", "16",
                "--epochs", "2", "--batch", "16", "--optimizer", "adam", "--schedule", "constant", "--out", out.toString(),
                "--seed", "5"};

        Result stopped = run(concat(args, "--max-steps", "3", "--checkpoint-every", "2"));
        assertThat(stopped.code).as(stopped.err).isZero();
        assertThat(stopped.out).contains("steps       3 (1.50 epochs)").contains("stopped     max steps")
                .contains("batch 16, adam, constant rate").contains("CPU time");
        assertThat(out.resolve("checkpoints/step-00000002/checkpoint.json")).isRegularFile();
        assertThat(out.resolve("checkpoints/step-00000003/checkpoint.json")).isRegularFile();

        Result resumed = run(concat(args, "--resume"));
        assertThat(resumed.code).as(resumed.err).isZero();
        assertThat(resumed.err).contains("resuming from").contains("step 3");
        assertThat(resumed.out).contains("steps       4 (2.00 epochs), resumed from step 3")
                .contains("final loss").contains("images/s").contains("loss plot   " + out.resolve("loss.png"))
                .contains("memory      " + out.resolve("memory.png"));

        ModelManifest manifest = ModelArtifact.readManifest(out.resolve("model"));
        assertThat(manifest.trainingSteps()).isEqualTo(4);
        assertThat(manifest.architecture()).isEqualTo("resnet-mini");
        assertThat(manifest.inputSize()).isEqualTo(16);
        assertThat(manifest.inputChannels()).isEqualTo(3);
        assertThat(manifest.trainingData()).contains("folder:pictures (32 images)");
        List<String> history = Files.readAllLines(out.resolve("history.csv"));
        assertThat(history).hasSize(5).first().isEqualTo("step,epoch,loss,lr,images_per_s,live_arrays,rss_mb");
        // --schedule constant: Adam's 0.001 at every step, no warm-up, no decay
        assertThat(history.subList(1, 5)).extracting(line -> line.split(",")[3]).containsOnly("0.00100000");
        assertThat(manifest.metrics()).containsEntry("final_learning_rate", 1e-3);
        BufferedImage plot = ImageIO.read(out.resolve("loss.png").toFile());
        assertThat(plot.getWidth()).isPositive();

        Result again = run(concat(args, "--resume"));
        assertThat(again.code).isEqualTo(PlanstreamCommand.EXIT_USAGE);
        assertThat(again.err).contains("complete");
    }

    @Test
    void shouldStopOnceTheStepsHaveSpentTheCpuBudget() {
        Path out = tmp.resolve("cpu");
        // 0.00002 minutes is 1.2 ms of CPU: the first step spends it
        Result stopped = run("pretrain", "--data", pictures.toString(), "--encoder", "resnet-mini", "--size", "16",
                "--epochs", "2", "--batch", "16", "--max-cpu-minutes", "0.00002", "--out", out.toString());
        assertThat(stopped.code).as(stopped.err).isZero();
        assertThat(stopped.out).contains("steps       1 (0.50 epochs)").contains("stopped     cpu budget")
                .containsPattern("CPU time    [0-9.]+ s \\(the steps', user and system, all threads\\)");
        assertThat(out.resolve("checkpoints/step-00000001/checkpoint.json")).isRegularFile();

        Result zero = run("pretrain", "--data", pictures.toString(), "--encoder", "resnet-mini", "--epochs", "1",
                "--batch", "16", "--max-cpu-minutes", "0", "--out", tmp.resolve("zero").toString());
        assertThat(zero.code).isEqualTo(2);
        assertThat(zero.err).contains("--max-cpu-minutes must be in (0, 100000], got: 0.0");
    }

    @Test
    void shouldExitWith2OnBadUsage() {
        String out = tmp.resolve("bad").toString();
        Result encoder = run("pretrain", "--data", pictures.toString(), "--encoder", "vgg16", "--epochs", "1",
                "--batch", "16", "--out", out);
        assertThat(encoder.code).isEqualTo(2);
        assertThat(encoder.err).contains("vgg16").contains("resnet-mini");

        Result batch = run("pretrain", "--data", pictures.toString(), "--encoder", "resnet-mini", "--epochs", "1",
                "--batch", "1", "--out", out);
        assertThat(batch.code).isEqualTo(2);
        assertThat(batch.err).contains("batch size");

        Result tooBig = run("pretrain", "--data", pictures.toString(), "--encoder", "resnet-mini", "--epochs", "1",
                "--batch", "64", "--out", out);
        assertThat(tooBig.code).isEqualTo(2);
        assertThat(tooBig.err).contains("fewer images than one batch of 64");

        Result crop = run("pretrain", "--data", pictures.toString(), "--encoder", "resnet-mini", "--epochs", "1",
                "--batch", "16", "--min-crop-scale", "1.5", "--out", out);
        assertThat(crop.code).isEqualTo(2);
        assertThat(crop.err).contains("the smallest crop scale must be in (0, 1.0], got: 1.5");

        Result schedule = run("pretrain", "--data", pictures.toString(), "--encoder", "resnet-mini", "--epochs", "1",
                "--batch", "16", "--schedule", "step", "--out", out);
        assertThat(schedule.code).isEqualTo(2);
        assertThat(schedule.err).contains("--schedule must be cosine or constant, got: step");

        Result missing = run("pretrain", "--data", tmp.resolve("nowhere").toString(), "--encoder", "resnet-mini",
                "--epochs", "1", "--batch", "16", "--out", out);
        assertThat(missing.code).isEqualTo(2);

        Result idx = run("pretrain", "--data", "fashion-mnist:" + tmp, "--encoder", "resnet-mini", "--epochs", "1",
                "--batch", "16", "--out", out);
        assertThat(idx.code).isEqualTo(2);
        assertThat(idx.err).contains("no Fashion-MNIST training images");

        assertThat(run("pretrain", "--data", pictures.toString(), "--encoder", "resnet-mini", "--out", out).code)
                .as("--epochs and --batch are required").isEqualTo(2);
        assertThat(Path.of(out)).doesNotExist();

        String help = PlanstreamCommand.newCommandLine().getSubcommands().get("pretrain").getUsageMessage();
        assertThat(help).contains("sudo apt-get install dataset-fashion-mnist").contains("/usr/share/datasets/fashion-mnist");
        assertThat(PlanstreamCommand.newCommandLine().getUsageMessage()).contains("pretrain");
    }

    private static String[] concat(String[] a, String... b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    private record Result(int code, String out, String err) {
    }

    private static Result run(String... args) {
        CommandLine cl = PlanstreamCommand.newCommandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Result(code, out.toString(), err.toString());
    }
}
