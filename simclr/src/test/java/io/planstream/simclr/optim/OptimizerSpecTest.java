package io.planstream.simclr.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.util.Pair;
import io.planstream.simclr.SimClrEngine;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class OptimizerSpecTest {

    @BeforeAll
    static void engine() {
        SimClrEngine.get();
    }

    /** How far one update with gradient 1 moves a bias (no decay, no adaptation for LARS). */
    private static double firstUpdate(OptimizerSpec spec, int firstStep) {
        try (NDManager m = NDManager.newBaseManager()) {
            Linear block = Linear.builder().setUnits(1).build();
            block.initialize(m, DataType.FLOAT32, new Shape(1, 2));
            Optimizer opt = spec.create(block, 256, firstStep);
            for (Pair<String, Parameter> p : block.getParameters()) {
                if (p.getKey().contains("bias")) {
                    NDArray bias = p.getValue().getArray();
                    float before = bias.getFloat(0);
                    opt.update(p.getValue().getId(), bias, m.ones(bias.getShape()));
                    return before - bias.getFloat(0);
                }
            }
            throw new AssertionError("Linear has no bias");
        }
    }

    @Test
    void shouldContinueTheScheduleOfAResumedRunForBothOptimizers() {
        for (OptimizerSpec.Kind kind : OptimizerSpec.Kind.values()) {
            OptimizerSpec spec = new OptimizerSpec(kind, 0.5, false, 0, 10, 100);
            WarmupCosineSchedule schedule = spec.schedule(256);
            // fresh: the first warm-up step; resumed at 60: the rate of step 60 (Adam's first step
            // moves by the rate, since its bias correction restarts with its empty moments)
            assertThat(firstUpdate(spec, 0)).as(kind.id()).isCloseTo(schedule.valueAt(0), within(1e-6));
            assertThat(firstUpdate(spec, 60)).as(kind.id()).isCloseTo(schedule.valueAt(60), within(1e-6));
        }
        assertThatThrownBy(() -> firstUpdate(OptimizerSpec.adam(1, 10), 11)).hasMessageContaining("firstStep");
    }

    @Test
    void shouldHoldThePeakRateToTheLastStepWithAConstantSchedule() {
        OptimizerSpec constant = new OptimizerSpec(OptimizerSpec.Kind.ADAM, 1e-3, false, 0, 0, 100,
                OptimizerSpec.Decay.CONSTANT);
        WarmupCosineSchedule schedule = constant.schedule(256);
        for (int t : new int[] {0, 1, 50, 99, 100}) {
            assertThat(schedule.valueAt(t)).as("step %d", t).isEqualTo(1e-3);
        }
        assertThat(firstUpdate(constant, 70)).isCloseTo(1e-3, within(1e-6));
        assertThat(constant.describe()).isEqualTo("adam, constant rate");

        OptimizerSpec cosine = OptimizerSpec.lars(10, 100);
        assertThat(cosine.decay()).isEqualTo(OptimizerSpec.Decay.COSINE);
        assertThat(cosine.schedule(256).valueAt(99)).isLessThan(1e-3);
        assertThat(cosine.schedule(256).valueAt(100)).isZero();
        assertThat(cosine.describe()).isEqualTo("lars");

        assertThat(OptimizerSpec.Decay.of(" Constant ")).isEqualTo(OptimizerSpec.Decay.CONSTANT);
        assertThatThrownBy(() -> OptimizerSpec.Decay.of("step"))
                .hasMessage("--schedule must be cosine or constant, got: step");
    }
}
