package io.planstream.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.planstream.avro.ModelVersion;
import io.planstream.models.ModelPublisher;
import io.planstream.models.ModelRecords;
import io.planstream.platform.KafkaPlatform;
import io.planstream.simclr.artifact.ModelArtifact;
import io.planstream.simclr.artifact.TorchScriptImport;
import io.planstream.simclr.model.EncoderSpec;
import io.planstream.simclr.model.Normalization;

/**
 * An imported TorchScript encoder is published like a trained model (the record carries the hash of its
 * module file) and the trainer, which can only continue a Planstream model with its projection head,
 * skips its rounds with the reason instead of failing, its buffer already at the encoder's input size.
 */
class TorchScriptTargetTest {

    @TempDir
    Path dir;

    private Path imported() throws Exception {
        Path artifact = dir.resolve("import");
        Path pt = Path.of(TorchScriptTargetTest.class.getResource("/torchscript/encoder.pt").toURI());
        TorchScriptImport.importEncoder(pt, 32, 3, Normalization.imagenet(), artifact);
        return artifact;
    }

    @Test
    void shouldDescribeAnImportedEncoderWithTheHashOfItsModuleFile() throws Exception {
        Path artifact = imported();
        ModelVersion record = ModelRecords.template(artifact, null, Map.of(), "operator");
        assertThat(record.getArchitecture()).isEqualTo("torchscript");
        assertThat(record.getDimension()).isEqualTo(16);
        assertThat(record.getInputSize()).isEqualTo(32);
        assertThat(record.getArtifactSha256()).isEqualTo(ModelArtifact.sha256Hex(artifact.resolve("encoder.pt")));
        assertThat(record.getManifest()).containsEntry("channels", "3")
                .containsEntry("normalization", "mean=0.485,0.456,0.406 std=0.229,0.224,0.225");
        assertThat(TrainerService.whyNotContinued(4, ModelArtifact.readManifest(artifact))).hasValueSatisfying(reason -> assertThat(reason)
                .contains("version 4 is an imported TorchScript encoder (encoder.pt)").contains("projection head"));
    }

    @Test
    void shouldSkipRoundsOfAnImportedTargetWithTheReason() throws Exception {
        Path artifact = imported();
        try (KafkaPlatform platform = KafkaPlatform.builder().optPartitions(1).start()) {
            try (ModelPublisher operator = new ModelPublisher(platform, "test-operator")) {
                operator.publish(artifact, ModelRecords.template(artifact, null, Map.of(), "test-operator"));
            }
            TrainerSettings settings = TrainerSettings.builder().setWorkDir(dir.resolve("trainer"))
                    .optBufferImages(100).optBufferBytes(16L << 20).optMinNewImages(0).optEpochs(1).optBatchSize(8)
                    .optMaxRoundDuration(Duration.ofMinutes(1)).optHeldOutFraction(0.25).optLabelKey("")
                    .optFirstEncoder(EncoderSpec.of("resnet-mini", 3, 64)).optTransactionalId("test-trainer").optPublisher("test")
                    .optDevice("cpu").build();
            try (TrainerService trainer = new TrainerService(platform, settings).start()) {
                assertThat(trainer.buffer().imageSize()).as("the buffer holds pictures at the imported encoder's size").isEqualTo(32);
                RoundResult round = trainer.runRound("test");
                assertThat(round.outcome()).as(round.reason()).isEqualTo(RoundResult.Outcome.SKIPPED);
                assertThat(round.parentVersion()).isEqualTo(1);
                assertThat(round.reason()).contains("version 1 is an imported TorchScript encoder")
                        .contains("continued pretraining needs a Planstream artifact with a projection head");
            }
        }
    }
}
