package io.planstream.app.security;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * Access control on, with three keys: {@code reader} (search) and {@code uploader} (upload) from
 * the configuration map, {@code ops} (admin) from a key file, as a mounted secret would give it.
 */
public class SecuredProfile implements QuarkusTestProfile {

    public static final String READER = ApiKeys.generate();
    public static final String UPLOADER = ApiKeys.generate();
    public static final String OPS = ApiKeys.generate();

    @Override
    public Map<String, String> getConfigOverrides() {
        Map<String, String> m = new HashMap<>();
        m.put("planstream.security.enabled", "true");
        m.put("planstream.security.api-keys.reader.sha256", ApiKeys.sha256Hex(READER));
        m.put("planstream.security.api-keys.reader.roles", "search");
        m.put("planstream.security.api-keys.uploader.sha256", ApiKeys.sha256Hex(UPLOADER).toUpperCase());
        m.put("planstream.security.api-keys.uploader.roles", "upload");
        m.put("planstream.security.api-keys-file", keyFile().toString());
        m.put("planstream.security.public-search", String.valueOf(publicSearch()));
        return m;
    }

    boolean publicSearch() {
        return false;
    }

    private static Path keyFile() {
        try {
            Path f = Files.createTempFile("planstream-keys-", ".txt");
            Files.writeString(f, "# operators\n\nops " + ApiKeys.sha256Hex(OPS) + " admin\n");
            f.toFile().deleteOnExit();
            return f;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The same keys with the read-only endpoints left open. */
    public static class PublicSearch extends SecuredProfile {
        @Override
        boolean publicSearch() {
            return true;
        }
    }
}
