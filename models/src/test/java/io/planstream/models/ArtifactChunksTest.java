package io.planstream.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.planstream.avro.ArtifactChunk;
import io.planstream.simclr.artifact.ModelArtifact;

class ArtifactChunksTest {

    @TempDir
    Path dir;

    @Test
    void shouldCutFilesInNameOrderIntoChunksThatCarryTheWholeFilesHash() throws IOException {
        byte[] params = random(10_000, 1);
        Files.write(dir.resolve("parameters.djl"), params);
        Files.writeString(dir.resolve("manifest.json"), "{\"encoder\":\"resnet18\"}");
        Files.write(dir.resolve("empty.bin"), new byte[0]);

        List<ArtifactChunk> chunks = new ArrayList<>();
        ArtifactChunks.split(dir, 4, 4096, chunks::add);

        assertThat(chunks).extracting(ArtifactChunks::key).containsExactly(
                "v4/empty.bin/0", "v4/manifest.json/0", "v4/parameters.djl/0", "v4/parameters.djl/1", "v4/parameters.djl/2");
        assertThat(chunks).allSatisfy(c -> assertThat(c.getFiles()).containsExactly("empty.bin", "manifest.json", "parameters.djl"));
        List<ArtifactChunk> paramChunks = chunks.stream().filter(c -> c.getFile().equals("parameters.djl")).toList();
        assertThat(paramChunks).extracting(c -> c.getData().remaining()).containsExactly(4096, 4096, 10_000 - 8192);
        assertThat(paramChunks).allSatisfy(c -> {
            assertThat(c.getChunks()).isEqualTo(3);
            assertThat(c.getFileSize()).isEqualTo(10_000L);
            assertThat(c.getFileSha256()).isEqualTo(ModelArtifact.sha256Hex(dir.resolve("parameters.djl")));
        });
        assertThat(concat(paramChunks)).isEqualTo(params);
        ArtifactChunk empty = chunks.get(0);
        assertThat(empty.getChunks()).isEqualTo(1);
        assertThat(empty.getData().remaining()).isZero();
    }

    @Test
    void shouldRefuseASubdirectory() throws IOException {
        Files.writeString(dir.resolve("manifest.json"), "{}");
        Files.createDirectory(dir.resolve("weights"));

        assertThatThrownBy(() -> ArtifactChunks.split(dir, 1, 1024, c -> { }))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("contains the subdirectory 'weights'")
                .hasMessageContaining("flat directory of regular files");
    }

    @Test
    void shouldRefuseAnEmptyOrMissingDirectoryAndTheReservedName() throws IOException {
        assertThatThrownBy(() -> ArtifactChunks.files(dir)).hasMessageContaining("holds no files");
        assertThatThrownBy(() -> ArtifactChunks.files(dir.resolve("nope"))).hasMessageContaining("does not exist or is not a directory");
        Files.writeString(dir.resolve(ArtifactFetcher.HASH_LIST_FILE), "");
        assertThatThrownBy(() -> ArtifactChunks.files(dir)).hasMessageContaining("'artifact.sha256' is reserved");
    }

    @Test
    void shouldRefuseBadVersionsAndChunkSizes() throws IOException {
        Files.writeString(dir.resolve("manifest.json"), "{}");

        assertThatThrownBy(() -> ArtifactChunks.split(dir, 0, 1024, c -> { })).hasMessage("artifact version must be >= 1, got 0");
        assertThatThrownBy(() -> ArtifactChunks.split(dir, 1, 0, c -> { }))
                .hasMessage("chunk size must be 1.." + ArtifactChunks.MAX_CHUNK_BYTES + " bytes, got 0");
        assertThatThrownBy(() -> ArtifactChunks.split(dir, 1, ArtifactChunks.MAX_CHUNK_BYTES + 1, c -> { }))
                .hasMessageContaining("chunk size must be");
    }

    @Test
    void shouldFailWhenAFileChangesWhileItIsSplit() throws IOException {
        Path file = dir.resolve("parameters.djl");
        Files.write(file, random(3000, 2));

        assertThatThrownBy(() -> ArtifactChunks.split(dir, 1, 1000, chunk -> {
            if (chunk.getChunk() == 0) {
                Files.write(file, new byte[] {42}, StandardOpenOption.APPEND);
            }
        })).isInstanceOf(IOException.class).hasMessageContaining("changed while it was being split").hasMessageContaining("grew beyond 3000 bytes");
    }

    @Test
    void shouldRefuseFileNamesAReaderCouldNotWriteSafely() {
        assertThat(ArtifactChunks.fileNameProblem("parameters.djl")).isEmpty();
        assertThat(ArtifactChunks.fileNameProblem("../etc/passwd")).hasValueSatisfying(p -> assertThat(p).contains("path separator"));
        assertThat(ArtifactChunks.fileNameProblem("..")).isPresent();
        assertThat(ArtifactChunks.fileNameProblem("a\nb")).hasValueSatisfying(p -> assertThat(p).contains("control character"));
        assertThat(ArtifactChunks.fileNameProblem("x".repeat(256))).hasValueSatisfying(p -> assertThat(p).contains("longer than 255"));
    }

    static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private static byte[] concat(List<ArtifactChunk> chunks) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (ArtifactChunk c : chunks) {
            ByteBuffer data = c.getData().duplicate();
            byte[] bytes = new byte[data.remaining()];
            data.get(bytes);
            out.writeBytes(bytes);
        }
        return out.toByteArray();
    }
}
