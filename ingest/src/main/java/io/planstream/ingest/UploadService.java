package io.planstream.ingest;

import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

import org.apache.kafka.clients.producer.RecordMetadata;

import io.planstream.avro.ImageRecord;
import io.planstream.ingest.catalog.ImageCatalog;
import io.planstream.ingest.image.UploadValidator;
import io.planstream.ingest.image.ValidatedImage;

/**
 * Accepts one upload: checks the id, the metadata and the picture, builds the {@link ImageRecord} and
 * answers only once Kafka has acknowledged it. A refused upload writes nothing.
 */
public final class UploadService {

    /** Prefixes of the metadata keys the service itself writes from RPLAN files; a client cannot set them. */
    static final java.util.List<String> RESERVED_PREFIXES = java.util.List.of("rooms.", "rplan.");
    static final int MAX_KEY_LENGTH = 64;
    static final int MAX_VALUE_LENGTH = 1024;

    private final UploadValidator validator;
    private final ImagePublisher publisher;
    private final ImageCatalog catalog;
    private final int maxMetadataFields;
    private final Clock clock;

    /** @param catalog where accepted uploads are recorded for read-your-writes, or null */
    public UploadService(UploadValidator validator, ImagePublisher publisher, ImageCatalog catalog,
                         int maxMetadataFields, Clock clock) {
        this.validator = Objects.requireNonNull(validator, "validator");
        this.publisher = Objects.requireNonNull(publisher, "publisher");
        this.catalog = catalog;
        this.maxMetadataFields = maxMetadataFields;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Validates and writes one upload, waiting for Kafka's acknowledgement.
     *
     * @throws ImageId.InvalidIdException for a bad client id
     * @throws InvalidMetadataException for metadata over the limits
     * @throws io.planstream.ingest.image.InvalidImageException for a picture that is refused
     * @throws KafkaUnavailableException when Kafka does not acknowledge in time
     */
    public Accepted accept(Upload upload) {
        ImageRecord record = toRecord(upload);
        RecordMetadata ack = publisher.publish(record);
        if (catalog != null) {
            catalog.accepted(record, ack.partition(), ack.offset());
        }
        return new Accepted(record.getId(), record.getFormat().name().toLowerCase(java.util.Locale.ROOT),
                record.getWidth(), record.getHeight(), ack.partition(), ack.offset());
    }

    /** Validation and record building without the write: every check {@link #accept} makes. */
    /** A deletion Kafka acknowledged: the tombstone's position in the images topic. */
    public record Deleted(String id, int partition, long offset) {
    }

    /**
     * Deletes an image: a tombstone on the images topic, the system of record, from which the catalog,
     * every model version's index, the thumbnails and the trainer's buffer drop it.
     *
     * @throws ImageId.InvalidIdException for a malformed id
     * @throws UnknownImageException for an id this process does not know (never uploaded, or deleted)
     * @throws KafkaUnavailableException when Kafka does not acknowledge in time
     */
    public Deleted delete(String id) {
        ImageId.validate(id);
        if (catalog != null && catalog.find(id).isEmpty()) {
            throw new UnknownImageException("no image with id '" + id + "'");
        }
        RecordMetadata ack = publisher.delete(id);
        if (catalog != null) {
            catalog.deleted(id, ack.offset());
        }
        return new Deleted(id, ack.partition(), ack.offset());
    }

    /** No image has this id. */
    public static final class UnknownImageException extends RuntimeException {
        public UnknownImageException(String message) {
            super(message);
        }
    }

    public ImageRecord toRecord(Upload upload) {
        String sha256 = ImageId.sha256Hex(upload.bytes());
        String id = ImageId.resolve(upload.clientId(), sha256);
        Map<String, String> metadata = checkMetadata(upload.metadata());
        ValidatedImage image = validator.validate(upload.bytes(), upload.declaredContentType(), upload.declaredFormat());
        metadata.putAll(image.metadata());
        return ImageRecord.newBuilder()
                .setId(id)
                .setContentType(image.contentType())
                .setFormat(image.format())
                .setOriginal(ByteBuffer.wrap(upload.bytes()))
                .setRendered(image.rendered().map(ByteBuffer::wrap).orElse(null))
                .setWidth(image.width())
                .setHeight(image.height())
                .setSource(upload.source())
                .setFilename(upload.filename())
                .setSha256(sha256)
                .setUploadTime(clock.instant())
                .setMetadata(metadata)
                .build();
    }

    private Map<String, String> checkMetadata(Map<String, String> given) {
        if (given.size() > maxMetadataFields) {
            throw new InvalidMetadataException("metadata has " + given.size() + " fields, at most " + maxMetadataFields + " are allowed");
        }
        Map<String, String> out = new HashMap<>();
        for (Map.Entry<String, String> e : given.entrySet()) {
            String key = e.getKey();
            if (key.isEmpty() || key.length() > MAX_KEY_LENGTH) {
                throw new InvalidMetadataException("metadata key '" + abbreviate(key) + "' must be 1.." + MAX_KEY_LENGTH + " characters long");
            }
            for (String reserved : RESERVED_PREFIXES) {
                if (key.startsWith(reserved)) {
                    throw new InvalidMetadataException("metadata key '" + key + "' is reserved: keys starting with '"
                            + reserved + "' are computed from RPLAN files");
                }
            }
            if (e.getValue().length() > MAX_VALUE_LENGTH) {
                throw new InvalidMetadataException("metadata value of '" + key + "' is " + e.getValue().length()
                        + " characters long, at most " + MAX_VALUE_LENGTH + " are allowed");
            }
            out.put(key, e.getValue());
        }
        return out;
    }

    private static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }

    /** Client metadata over the limits. */
    public static final class InvalidMetadataException extends IllegalArgumentException {
        public InvalidMetadataException(String message) {
            super(message);
        }
    }
}
