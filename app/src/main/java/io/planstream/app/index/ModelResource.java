package io.planstream.app.index;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import io.planstream.avro.ModelState;
import io.planstream.avro.ModelVersion;
import io.planstream.index.rest.SearchSupport;
import io.planstream.index.service.IndexService;
import io.planstream.index.service.IndexStatus;
import io.planstream.index.service.VersionStatus;
import io.planstream.models.MetricsPlot;
import io.planstream.models.ModelLog;
import io.planstream.models.ModelTarget;
import io.planstream.platform.KafkaPlatform;
import io.planstream.platform.http.BadRequestException;
import io.planstream.simclr.artifact.TorchScriptImport;

/**
 * The model versions: what the system knows of each ({@code GET /models}), their metrics drawn
 * ({@code GET /models/metrics.png}), the operator's pin ({@code POST /models/{version}/activate}
 * rolls the whole pipeline to that version, older or newer; {@code POST /models/unpin} returns it to
 * the newest published version), and imports of encoders trained elsewhere ({@code POST /models/import}).
 */
@Path("/models")
@Produces(MediaType.APPLICATION_JSON)
public class ModelResource {

    /**
     * Operators' state changes use a transactional id of their own: sharing the trainers' would fence
     * the running trainer each time someone pins a version.
     */
    public static final String OPERATOR_TRANSACTIONAL_ID = "planstream-operator";
    private static final java.time.Duration READ_TIMEOUT = java.time.Duration.ofSeconds(30);
    private static final Set<String> IMPORT_PARAMETERS = new TreeSet<>(List.of("inputSize", "channels", "normalization", "filename"));

    @Inject
    SearchSupport support;

    @Inject
    KafkaPlatform platform;

    @Inject
    OperatorPublisher operator;

    @Inject
    ModelImporter importer;

    @GET
    public ModelsAnswer models() {
        IndexService s = support.service();
        IndexStatus status = s.status();
        Map<Integer, ModelVersion> records = s.models();
        List<ModelsAnswer.Entry> out = new ArrayList<>();
        Map<Integer, VersionStatus> live = new HashMap<>();
        status.versions().forEach(v -> live.put(v.version(), v));
        Set<Integer> all = new TreeSet<>(Comparator.reverseOrder());
        all.addAll(live.keySet());
        all.addAll(records.keySet());
        for (int v : all) {
            ModelVersion m = records.get(v);
            VersionStatus st = live.get(v);
            String state = st != null ? st.state() : s.retiredVersions().contains(v) ? "retired"
                    : m != null && m.getState() == ModelState.REJECTED ? "rejected" : "published";
            out.add(new ModelsAnswer.Entry(v, state, m != null && m.getState() == ModelState.PINNED,
                    st == null ? 0 : st.documents(),
                    st != null ? Integer.valueOf(st.dimension()) : m != null ? Integer.valueOf(m.getDimension()) : null,
                    st == null ? -1 : st.embedderLag(), st == null ? -1 : st.indexLag(), st != null && st.caughtUp(),
                    m != null ? m.getArchitecture() : st != null ? st.architecture() : null, m == null ? null : m.getParent(),
                    m == null ? Map.of() : m.getMetrics()));
        }
        OptionalInt target = ModelTarget.select(records);
        return new ModelsAnswer(status.active(), target.isPresent() ? target.getAsInt() : null, status.images(), out);
    }

    @GET
    @Path("metrics.png")
    @Produces("image/png")
    public byte[] metricsPlot() {
        return MetricsPlot.png(ModelLog.readAll(platform, READ_TIMEOUT));
    }

    /** Pins {@code version}: every role converges on it (a roll-back where it is older); other pins are lifted. */
    @POST
    @Path("{version}/activate")
    public ModelsAnswer.Change activate(@PathParam("version") String version) {
        int v = parseVersion(version);
        TreeMap<Integer, ModelVersion> known = ModelLog.readAll(platform, READ_TIMEOUT);
        if (!known.containsKey(v)) {
            throw new UnknownModelException(v, known.keySet());
        }
        Map<Integer, ModelState> changes = new HashMap<>();
        known.forEach((n, m) -> {
            if (n != v && m.getState() == ModelState.PINNED) {
                changes.put(n, ModelState.PUBLISHED);
            }
        });
        changes.put(v, ModelState.PINNED);
        return change(changes, known);
    }

    /** Lifts every pin: the pipeline follows the newest published version again. */
    @POST
    @Path("unpin")
    public ModelsAnswer.Change unpin() {
        TreeMap<Integer, ModelVersion> known = ModelLog.readAll(platform, READ_TIMEOUT);
        Map<Integer, ModelState> changes = new HashMap<>();
        known.forEach((n, m) -> {
            if (m.getState() == ModelState.PINNED) {
                changes.put(n, ModelState.PUBLISHED);
            }
        });
        return change(changes, known);
    }

    /**
     * Imports a TorchScript encoder (the body, {@code application/octet-stream}) as the next version; answers 201
     * with its record. Query parameters: {@code inputSize} (required), {@code channels} (3), {@code normalization}
     * ({@code imagenet}), {@code filename} (the module's name in the artifact, {@code encoder.pt}).
     */
    @POST
    @Path("import")
    @Consumes(MediaType.APPLICATION_OCTET_STREAM)
    public Response importEncoder(InputStream body, @Context UriInfo uri) throws IOException {
        MultivaluedMap<String, String> query = uri.getQueryParameters();
        for (String key : query.keySet()) {
            if (!IMPORT_PARAMETERS.contains(key)) {
                throw new ModelImportException(400, "invalid_import", "unknown query parameter '" + SearchSupport.abbreviate(key)
                        + "'; an import takes " + IMPORT_PARAMETERS);
            }
        }
        String size = query.getFirst("inputSize");
        if (size == null || size.isBlank()) {
            throw new ModelImportException(400, "invalid_import", "inputSize is required: the side in pixels of the square pictures"
                    + " the encoder takes");
        }
        ModelImporter.Request request = new ModelImporter.Request(integer("inputSize", size),
                integer("channels", orDefault(query.getFirst("channels"), "3")), orDefault(query.getFirst("normalization"), "imagenet"),
                orDefault(query.getFirst("filename"), TorchScriptImport.DEFAULT_FILE_NAME));
        ModelsAnswer.Imported imported = importer.importEncoder(body, request);
        return Response.created(URI.create("/models/" + imported.version())).entity(imported).build();
    }

    private ModelsAnswer.Change change(Map<Integer, ModelState> changes, TreeMap<Integer, ModelVersion> known) {
        if (!changes.isEmpty()) {
            try {
                operator.run(publisher -> publisher.setStates(changes)).forEach(m -> known.put(m.getVersion(), m));
            } catch (IOException e) {
                throw new UncheckedIOException("the models topic did not take the change " + changes + ": " + e.getMessage(), e);
            }
        }
        OptionalInt target = ModelTarget.select(known);
        return new ModelsAnswer.Change(target.isPresent() ? target.getAsInt() : null, new TreeMap<>(changes));
    }

    private static String orDefault(String value, String fallback) {
        return value == null || value.isBlank() ? fallback : value.trim();
    }

    private static int integer(String name, String value) {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new ModelImportException(400, "invalid_import", name + " must be a whole number, got '"
                    + SearchSupport.abbreviate(value) + "'");
        }
    }

    private static int parseVersion(String s) {
        try {
            int v = Integer.parseInt(s);
            if (v >= 1) {
                return v;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new BadRequestException("invalid_version", "version must be a whole number >= 1, got '" + s + "'");
    }
}
