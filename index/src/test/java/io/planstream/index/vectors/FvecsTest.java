package io.planstream.index.vectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FvecsTest {

    @TempDir
    Path tmp;

    @Test
    void shouldReadBackWhatItWrote() throws IOException {
        // more than one read buffer's worth, so records straddle buffer refills
        VectorSet vectors = new ClusteredVectors(100, 7, 0.5, 1).sample(3000, 2);
        Path file = tmp.resolve("v.fvecs");
        Fvecs.write(file, vectors);
        assertThat(Files.size(file)).isEqualTo(3000L * (4 + 4 * 100));
        VectorSet read = Fvecs.read(file);
        assertThat(read.dimension()).isEqualTo(100);
        assertThat(read.data()).isEqualTo(vectors.data());
    }

    @Test
    void shouldWriteTheLittleEndianLayoutOfTheAnnBenchmarks() throws IOException {
        Path file = tmp.resolve("one.fvecs");
        Fvecs.write(file, new VectorSet(2, new float[] {1.5f, -2f}));
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(b.getInt()).isEqualTo(2);
        assertThat(b.getFloat()).isEqualTo(1.5f);
        assertThat(b.getFloat()).isEqualTo(-2f);
        assertThat(b.hasRemaining()).isFalse();
    }

    @Test
    void shouldNameTheByteOffsetOfATruncatedFile() throws IOException {
        Path file = tmp.resolve("t.fvecs");
        Fvecs.write(file, new ClusteredVectors(8, 2, 0.5, 1).sample(3, 2));
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(3 * 36 - 5);
        }
        assertThatThrownBy(() -> Fvecs.read(file)).isInstanceOf(IOException.class)
                .hasMessageContaining("truncated").hasMessageContaining("byte offset 72");
    }

    @Test
    void shouldNameTheByteOffsetOfARecordOfAnotherDimension() throws IOException {
        Path file = tmp.resolve("d.fvecs");
        Fvecs.write(file, new ClusteredVectors(8, 2, 0.5, 1).sample(3, 2));
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(36);
            f.write(new byte[] {9, 0, 0, 0});
        }
        assertThatThrownBy(() -> Fvecs.read(file)).isInstanceOf(IOException.class)
                .hasMessageContaining("vector 1 at byte offset 36 has dimension 9, the first has 8");
    }

    @Test
    void shouldRefuseEmptyAndForeignFiles() throws IOException {
        Path empty = Files.write(tmp.resolve("e.fvecs"), new byte[0]);
        assertThatThrownBy(() -> Fvecs.read(empty)).isInstanceOf(IOException.class).hasMessageContaining("holds no vectors");
        Path text = Files.writeString(tmp.resolve("x.fvecs"), "hello, world");
        assertThatThrownBy(() -> Fvecs.read(text)).isInstanceOf(IOException.class).hasMessageContaining("not an fvecs file");
    }
}
