package io.planstream.embedder.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import ai.djl.Device;
import ai.djl.pytorch.jni.JniUtils;
import org.junit.jupiter.api.Test;

import io.planstream.simclr.Devices;
import io.planstream.simclr.SimClrEngine;
import io.planstream.simclr.model.EncoderSpec;

class ForwardLaneTest {

    private static final EncoderSpec SPEC = EncoderSpec.of("resnet-mini", 3, 32);
    private static final Supplier<BatchEncoder> ENCODERS = () -> BatchEncoder.random(SPEC, 1, 7, Devices.choose("cpu"));

    @Test
    void twoWorkersRunTwoBatchesAtOnceEachWithItsOwnEncoder() throws Exception {
        CountDownLatch bothRunning = new CountDownLatch(2);
        Map<String, Set<Integer>> encodersByThread = new ConcurrentHashMap<>();
        try (ForwardLane lane = ForwardLane.threaded(ENCODERS, "test-forward", new ForwardWorkers(2, 1))) {
            assertThat(lane.workers()).isEqualTo(2);
            List<CompletableFuture<Boolean>> jobs = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                jobs.add(lane.submit(encoder -> {
                    bothRunning.countDown();
                    try {
                        // With one worker the second batch would never start while this one waits.
                        return bothRunning.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return false;
                    }
                }));
            }
            for (CompletableFuture<Boolean> job : jobs) {
                assertThat(job.get(60, TimeUnit.SECONDS)).as("both batches ran side by side").isTrue();
            }
            List<CompletableFuture<float[][]>> batches = new ArrayList<>();
            float[] image = new float[3 * 32 * 32];
            for (int i = 0; i < 8; i++) {
                batches.add(lane.submit(encoder -> {
                    encodersByThread.computeIfAbsent(Thread.currentThread().getName(), n -> ConcurrentHashMap.newKeySet())
                            .add(System.identityHashCode(encoder));
                    return encoder.embed(List.of(image), false);
                }));
            }
            for (CompletableFuture<float[][]> b : batches) {
                assertThat(b.get(60, TimeUnit.SECONDS)[0]).hasSize(128);
            }
        }
        assertThat(encodersByThread.keySet()).allMatch(n -> n.startsWith("test-forward-"));
        assertThat(encodersByThread.values()).as("one encoder per worker, kept").allMatch(s -> s.size() == 1);
        Set<Integer> distinct = ConcurrentHashMap.newKeySet();
        encodersByThread.values().forEach(distinct::addAll);
        assertThat(distinct).as("no encoder shared between workers").hasSize(encodersByThread.size());
    }

    @Test
    void eachWorkerRunsWithItsIntraOpThreadsAndLeavesOtherThreadsAlone() throws Exception {
        SimClrEngine.get();
        int processWide = JniUtils.getNumThreads();
        int asked = processWide + 1;
        try (ForwardLane lane = ForwardLane.threaded(ENCODERS, "test-threads", new ForwardWorkers(2, asked))) {
            assertThat(lane.submit(encoder -> JniUtils.getNumThreads()).get(60, TimeUnit.SECONDS)).isEqualTo(asked);
            CompletableFuture<Integer> later = new CompletableFuture<>();
            new Thread(() -> later.complete(JniUtils.getNumThreads())).start();
            assertThat(later.get(30, TimeUnit.SECONDS)).as("a thread started after the workers").isEqualTo(processWide);
        }
    }

    @Test
    void oneWorkerRunsTheBatchesInTheOrderTheyCame() throws Exception {
        List<Integer> order = new ArrayList<>();
        try (ForwardLane lane = ForwardLane.threaded(ENCODERS, "test-order", ForwardWorkers.single())) {
            List<CompletableFuture<Integer>> jobs = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                int n = i;
                jobs.add(lane.submit(encoder -> {
                    order.add(n);
                    return n;
                }));
            }
            for (CompletableFuture<Integer> j : jobs) {
                j.get(60, TimeUnit.SECONDS);
            }
        }
        assertThat(order).isSorted().hasSize(20);
    }

    @Test
    void aFailedBatchFailsItsFutureAndTheLaneGoesOn() throws Exception {
        try (ForwardLane lane = ForwardLane.threaded(ENCODERS, "test-failure", new ForwardWorkers(2, 1))) {
            CompletableFuture<Integer> bad = lane.submit(encoder -> {
                throw new IllegalStateException("broken batch");
            });
            assertThatThrownBy(() -> bad.get(60, TimeUnit.SECONDS)).hasRootCauseMessage("broken batch");
            assertThat(lane.submit(BatchEncoder::version).get(60, TimeUnit.SECONDS)).isEqualTo(1);
        }
    }

    @Test
    void workersOnTheCpuAreOneSingleThreadedWorkerPerCoreAndOneOnAGpu() {
        assertThat(ForwardWorkers.auto(Device.cpu(), 4)).isEqualTo(new ForwardWorkers(4, 1));
        assertThat(ForwardWorkers.auto(Device.gpu(), 16)).isEqualTo(ForwardWorkers.single());
        assertThat(ForwardWorkers.configured(OptionalInt.empty(), OptionalInt.empty(), Device.cpu(), 2)).isEqualTo(new ForwardWorkers(2, 1));
        // Workers given, threads not: the cores are shared among the workers.
        assertThat(ForwardWorkers.configured(OptionalInt.of(1), OptionalInt.empty(), Device.cpu(), 8)).isEqualTo(new ForwardWorkers(1, 8));
        assertThat(ForwardWorkers.configured(OptionalInt.of(3), OptionalInt.empty(), Device.cpu(), 8)).isEqualTo(new ForwardWorkers(3, 2));
        assertThat(ForwardWorkers.configured(OptionalInt.of(2), OptionalInt.of(4), Device.cpu(), 2)).isEqualTo(new ForwardWorkers(2, 4));
        assertThat(ForwardWorkers.configured(OptionalInt.empty(), OptionalInt.empty(), Device.gpu(), 16)).isEqualTo(ForwardWorkers.single());
    }

    @Test
    void refusesWorkerCountsOutOfRangeWithTheValue() {
        assertThatThrownBy(() -> new ForwardWorkers(0, 1)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got 0");
        assertThatThrownBy(() -> new ForwardWorkers(65, 1)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got 65");
        assertThatThrownBy(() -> new ForwardWorkers(1, -1)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got -1");
    }
}
