package io.planstream.schemas;

import java.nio.ByteBuffer;

import io.planstream.avro.ImageFormat;
import io.planstream.avro.ImageRecord;

/** What an {@link ImageRecord} holds, read the same way by every role. */
public final class ImageRecords {

    private ImageRecords() {
    }

    /**
     * The picture an encoder sees: for an RPLAN file the colour picture rendered at upload (its raw
     * channels are room categories, not colours), otherwise the uploaded file.
     */
    public static ByteBuffer picture(ImageRecord record) {
        return record.getFormat() == ImageFormat.RPLAN && record.getRendered() != null
                ? record.getRendered() : record.getOriginal();
    }
}
