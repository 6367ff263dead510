package io.planstream.models;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.planstream.simclr.artifact.ModelArtifact;

/**
 * The local copy of a fetched artifact: a directory holding its files and the hash list
 * {@link ArtifactFetcher#HASH_LIST_FILE}, in the format of {@code sha256sum} so that an operator can
 * check a copy by hand with {@code sha256sum -c artifact.sha256}.
 */
final class ArtifactCache {

    private static final Pattern LINE = Pattern.compile("([0-9a-f]{64})  (.+)");

    private ArtifactCache() {
    }

    /** Writes the hash list of {@code hashes} (file name to hex SHA-256) into {@code dir}. */
    static void writeHashList(Path dir, Map<String, String> hashes) throws IOException {
        StringBuilder text = new StringBuilder();
        new TreeMap<>(hashes).forEach((file, sha256) -> text.append(sha256).append("  ").append(file).append('\n'));
        Files.writeString(dir.resolve(ArtifactFetcher.HASH_LIST_FILE), text, StandardCharsets.UTF_8);
    }

    /**
     * What is wrong with the cached artifact in {@code dir}, if anything: a missing or malformed hash
     * list, a listed file that is missing, a file that is not listed, or a file whose bytes do not hash
     * to the listed value. Every file is hashed again, so a copy damaged on disk is not trusted.
     */
    static Optional<String> damage(Path dir) {
        Path list = dir.resolve(ArtifactFetcher.HASH_LIST_FILE);
        try {
            if (!Files.isRegularFile(list)) {
                return Optional.of("it has no " + ArtifactFetcher.HASH_LIST_FILE);
            }
            Map<String, String> listed = new TreeMap<>();
            List<String> lines = Files.readAllLines(list, StandardCharsets.UTF_8);
            for (int i = 0; i < lines.size(); i++) {
                Matcher m = LINE.matcher(lines.get(i));
                if (!m.matches()) {
                    return Optional.of("line " + (i + 1) + " of " + ArtifactFetcher.HASH_LIST_FILE + " is not '<sha256>  <file>'");
                }
                listed.put(m.group(2), m.group(1));
            }
            Set<String> present = new TreeSet<>();
            try (Stream<Path> entries = Files.list(dir)) {
                entries.map(p -> p.getFileName().toString()).forEach(present::add);
            }
            present.remove(ArtifactFetcher.HASH_LIST_FILE);
            if (!present.equals(listed.keySet())) {
                return Optional.of("it holds the files " + present + " but " + ArtifactFetcher.HASH_LIST_FILE
                        + " lists " + listed.keySet());
            }
            for (Map.Entry<String, String> e : listed.entrySet()) {
                Path file = dir.resolve(e.getKey());
                if (!Files.isRegularFile(file)) {
                    return Optional.of("'" + e.getKey() + "' is not a regular file");
                }
                String actual = ModelArtifact.sha256Hex(file);
                if (!actual.equals(e.getValue())) {
                    return Optional.of("file '" + e.getKey() + "' hashes to " + actual + ", not to the listed " + e.getValue());
                }
            }
            return Optional.empty();
        } catch (IOException e) {
            return Optional.of("it cannot be read: " + e);
        }
    }
}
