package io.planstream.simclr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.util.Optional;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import org.junit.jupiter.api.Test;

class NativeMemoryTrimmerTest {

    private static final int CHUNK = 64 * 1024;
    private static final int CHUNKS = 4096;

    @Test
    void handsFreedArenaMemoryBackThatGlibcWouldKeep() {
        Optional<NativeMemoryTrimmer> started = NativeMemoryTrimmer.start(Duration.ofHours(1));
        assumeTrue(started.isPresent() && ResidentMemory.megabytes() > 0, "glibc and /proc only (Linux)");
        try (NativeMemoryTrimmer trimmer = started.get()) {
            trimmer.trim();
            // 256 MB in chunks under glibc's mmap threshold, so they come from an arena, all touched.
            long[] chunks = new long[CHUNKS];
            for (int i = 0; i < CHUNKS; i++) {
                chunks[i] = Native.malloc(CHUNK);
                new Pointer(chunks[i]).setMemory(0, CHUNK, (byte) 1);
            }
            // One chunk kept above the rest, so the freed ones are not the arena's top, which free() returns itself.
            long keep = Native.malloc(CHUNK);
            new Pointer(keep).setMemory(0, CHUNK, (byte) 1);
            for (long c : chunks) {
                Native.free(c);
            }
            double returned = trimmer.trim();
            Native.free(keep);
            assertThat(returned).as("MB handed back of 256 MB freed").isGreaterThan(150);
            assertThat(trimmer.trims()).isEqualTo(2);
            assertThat(trimmer.returnedMb()).isGreaterThanOrEqualTo(returned);
            assertThat(trimmer.lastReturnedMb()).isEqualTo(returned);
        }
    }

    @Test
    void refusesAnIntervalThatIsNotPositive() {
        assertThatThrownBy(() -> NativeMemoryTrimmer.start(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("PT0S");
    }
}
