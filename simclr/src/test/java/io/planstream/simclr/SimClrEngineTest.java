package io.planstream.simclr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import ai.djl.pytorch.jni.JniUtils;
import org.junit.jupiter.api.Test;

class SimClrEngineTest {

    /** What a thread that never set its count runs with, as seen from a thread started now. */
    private static int freshThreadCount() throws Exception {
        SimClrEngine.get();
        return onFreshThread(JniUtils::getNumThreads);
    }

    private static <T> T onFreshThread(Callable<T> body) throws Exception {
        CompletableFuture<T> out = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                out.complete(body.call());
            } catch (Exception | Error e) {
                out.completeExceptionally(e);
            }
        });
        t.start();
        return out.get(30, TimeUnit.SECONDS);
    }

    /** On this VM NNPACK cannot initialise: the engine turns it off, which a broken call would leave on. */
    @Test
    void shouldLeaveNnpackOnExactlyWhereItRuns() {
        SimClrEngine.get();
        assumeTrue(Nnpack.enabled().isPresent(), "libtorch's NNPACK switch is not reachable by its symbol here");
        assertThat(Nnpack.enabled()).contains(Nnpack.available());
    }

    @Test
    void pytorchsOwnSetterReachesThreadsThatStartLater() throws Exception {
        SimClrEngine.get();
        int before = freshThreadCount();
        int other = before + 1;
        try {
            onFreshThread(() -> {
                JniUtils.setNumThreads(other);
                return null;
            });
            // This is why intraOpThreadsInThisThread exists.
            assertThat(freshThreadCount()).isEqualTo(other);
        } finally {
            onFreshThread(() -> {
                JniUtils.setNumThreads(before);
                return null;
            });
        }
        assertThat(freshThreadCount()).isEqualTo(before);
    }

    @Test
    void theCountStaysWithTheThreadThatSetIt() throws Exception {
        int before = freshThreadCount();
        int other = before + 1;
        CountDownLatch set = new CountDownLatch(1);
        CountDownLatch othersLooked = new CountDownLatch(1);
        CompletableFuture<int[]> worker = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            int returned = SimClrEngine.intraOpThreadsInThisThread(other);
            int right = JniUtils.getNumThreads();
            set.countDown();
            try {
                othersLooked.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            worker.complete(new int[] {returned, right, JniUtils.getNumThreads()});
        });
        t.start();
        assertThat(set.await(30, TimeUnit.SECONDS)).isTrue();
        // Threads that start after it, and the test's own, keep the process-wide count.
        assertThat(freshThreadCount()).isEqualTo(before);
        assertThat(JniUtils.getNumThreads()).isEqualTo(before);
        othersLooked.countDown();
        int[] seen = worker.get(30, TimeUnit.SECONDS);
        assertThat(seen[0]).as("the process-wide count it reports").isEqualTo(before);
        assertThat(seen[1]).as("right after setting").isEqualTo(other);
        assertThat(seen[2]).as("after other threads started").isEqualTo(other);
    }

    @Test
    void refusesLessThanOneThread() {
        assertThatThrownBy(() -> SimClrEngine.intraOpThreadsInThisThread(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 1");
    }
}
