package io.planstream.simclr.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataSourcesTest {

    @TempDir
    Path dir;

    @Test
    void shouldReadIdxFilesPixelForPixel() throws IOException {
        writeIdx(dir, "train", 3, 4, 5);
        ImageDataset d = DataSources.open("fashion-mnist:" + dir, Split.TRAIN, 0, 1);
        assertThat(d.size()).isEqualTo(3);
        assertThat(d.height()).isEqualTo(4);
        assertThat(d.width()).isEqualTo(5);
        assertThat(d.labels()).containsExactly(0, 1, 2);
        // Pixel (image 2, row 1, col 3) was written as (2*20 + 1*5 + 3).
        assertThat(d.pixels()[2 * 20 + 5 + 3] & 0xFF).isEqualTo(2 * 20 + 5 + 3);
        float[] f = new float[20];
        d.copyAsFloats(1, f, 0);
        assertThat(f[0]).isEqualTo(20 / 255f);
    }

    @Test
    void shouldRefuseATruncatedIdxFileWithItsName() throws IOException {
        writeIdx(dir, "t10k", 3, 4, 5);
        Path images = dir.resolve("t10k-images-idx3-ubyte.gz");
        byte[] all = Files.readAllBytes(images);
        // Re-write the images with a declared count larger than the data.
        try (DataOutputStream out = new DataOutputStream(new GZIPOutputStream(Files.newOutputStream(images)))) {
            out.writeInt(0x803);
            out.writeInt(30);
            out.writeInt(4);
            out.writeInt(5);
            out.write(new byte[60]);
        }
        assertThat(all).isNotEmpty();
        assertThatThrownBy(() -> FashionMnist.load(dir, Split.TEST)).hasMessageContaining("truncated")
                .hasMessageContaining("t10k-images");
    }

    @Test
    void shouldReadCifarBinaryRecordsAsRgbPlanes() throws IOException {
        byte[] record = new byte[Cifar10.RECORD * 2];
        record[0] = 7;
        record[1] = 10;                       // red plane, first pixel
        record[1 + 1024] = 20;                // green plane, first pixel
        record[Cifar10.RECORD] = 3;
        Files.write(dir.resolve("test_batch.bin"), record);
        ImageDataset d = DataSources.open(dir.toString(), Split.TEST, 32, 3);
        assertThat(d.size()).isEqualTo(2);
        assertThat(d.labels()).containsExactly(7, 3);
        assertThat(d.pixels()[0]).isEqualTo((byte) 10);
        assertThat(d.pixels()[1024]).isEqualTo((byte) 20);
        assertThat(d.classNames().get(7)).isEqualTo("horse");
    }

    @Test
    void shouldRefuseACifarFileThatIsNotWholeRecords() throws IOException {
        Files.write(dir.resolve("test_batch.bin"), new byte[Cifar10.RECORD + 5]);
        assertThatThrownBy(() -> Cifar10.load(dir, Split.TEST)).hasMessageContaining("not a multiple");
    }

    @Test
    void shouldLabelPicturesBySubFolderAndCropThemSquare() throws IOException {
        picture(dir.resolve("b-houses/1.png"), 40, 20, Color.RED);
        picture(dir.resolve("a-flats/1.png"), 20, 40, Color.BLUE);
        picture(dir.resolve("a-flats/2.jpg"), 30, 30, Color.GREEN);
        ImageDataset d = DataSources.open(dir.toString(), Split.TRAIN, 16, 3);
        assertThat(d.classNames()).containsExactly("a-flats", "b-houses");
        assertThat(d.labels()).containsExactly(0, 0, 1);
        assertThat(d.height()).isEqualTo(16);
        // The red picture, last: its centre pixel is red in the R plane and dark in B.
        int base = 2 * d.imageBytes();
        assertThat(d.pixels()[base + 8 * 16 + 8] & 0xFF).isGreaterThan(200);
        assertThat(d.pixels()[base + 2 * 256 + 8 * 16 + 8] & 0xFF).isLessThan(50);
    }

    @Test
    void shouldNameAnUnknownSource() {
        assertThatThrownBy(() -> DataSources.open("imagenet-21k", Split.TRAIN, 32, 3)).hasMessageContaining("imagenet-21k");
    }

    private static void picture(Path file, int w, int h, Color c) throws IOException {
        Files.createDirectories(file.getParent());
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        var g = img.createGraphics();
        g.setColor(c);
        g.fillRect(0, 0, w, h);
        g.dispose();
        ImageIO.write(img, file.toString().endsWith(".png") ? "png" : "jpeg", file.toFile());
    }

    private static void writeIdx(Path dir, String prefix, int count, int rows, int cols) throws IOException {
        try (DataOutputStream out = gz(dir.resolve(prefix + "-images-idx3-ubyte.gz"))) {
            out.writeInt(0x803);
            out.writeInt(count);
            out.writeInt(rows);
            out.writeInt(cols);
            for (int i = 0; i < count * rows * cols; i++) {
                out.writeByte(i);
            }
        }
        try (DataOutputStream out = gz(dir.resolve(prefix + "-labels-idx1-ubyte.gz"))) {
            out.writeInt(0x801);
            out.writeInt(count);
            for (int i = 0; i < count; i++) {
                out.writeByte(i);
            }
        }
    }

    private static DataOutputStream gz(Path p) throws IOException {
        OutputStream o = new GZIPOutputStream(Files.newOutputStream(p));
        return new DataOutputStream(o);
    }
}
