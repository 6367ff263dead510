package io.planstream.simclr.eval;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import io.planstream.simclr.SimClrEngine;
import io.planstream.simclr.data.ImageDataset;
import io.planstream.simclr.model.EncoderSpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class FineTuneEvaluationTest {

    @BeforeAll
    static void engine() {
        SimClrEngine.get();
    }

    @Test
    void shouldLearnStripeOrientationEndToEndWithoutTouchingTheSource() {
        ImageDataset train = Synthetic.stripes(128, 12, 1);
        ImageDataset test = Synthetic.stripes(64, 12, 2);
        EncoderSpec spec = EncoderSpec.of("resnet-mini", 1, "small", 1, 12);
        try (NDManager m = NDManager.newBaseManager();
             FrozenEncoder encoder = FrozenEncoder.random(spec, 7, m)) {
            float[] before = FeatureExtractor.encoder(encoder, 32).extract(test, ProgressListener.none()).values();
            long[] last = new long[2];
            EvalResult r = FineTuneEvaluation.run(encoder, train, test, new FineTuneEvaluation.Options(4, 16, 3e-3, 1),
                    (done, total) -> {
                        last[0] = done;
                        last[1] = total;
                    });
            assertThat(r.protocol()).isEqualTo(Protocol.FINETUNE);
            assertThat(r.top1()).isGreaterThanOrEqualTo(0.9);
            assertThat(r.nTrain()).isEqualTo(128);
            assertThat(last).containsExactly(512, 512);
            float[] after = FeatureExtractor.encoder(encoder, 32).extract(test, ProgressListener.none()).values();
            assertThat(after).containsExactly(before);
        }
    }
}
