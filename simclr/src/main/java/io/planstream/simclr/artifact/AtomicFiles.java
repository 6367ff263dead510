package io.planstream.simclr.artifact;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

import com.fasterxml.jackson.databind.ObjectMapper;

/** Files that a reader sees whole or not at all. */
public final class AtomicFiles {

    private AtomicFiles() {
    }

    /**
     * Writes {@code value} as JSON to {@code file} through a temporary file beside it and a rename, so that a
     * crash leaves the old file or the new one, never half of one. Where the file system cannot rename
     * atomically the rename still replaces the file, only without that guarantee.
     */
    public static void writeJson(ObjectMapper json, Path file, Object value) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        json.writeValue(tmp.toFile(), value);
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
