package io.planstream.index.service;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import io.planstream.avro.ModelVersion;
import io.planstream.index.catalog.CatalogEntry;
import io.planstream.index.catalog.ImageCatalogIndex;
import io.planstream.index.filter.Filter;
import io.planstream.index.lucene.VectorIndex;
import io.planstream.platform.KafkaPlatform;
import io.planstream.platform.UploadToken;

/**
 * The index role: one Lucene HNSW index per model version fed from the embeddings topic, an image
 * catalog (metadata and thumbnails) fed from the images topic, and the choice of the version that
 * answers queries.
 *
 * <p>This class answers the queries. The {@link IndexReaders} follow the topics and write the indexes
 * and the catalog; the {@link VersionLifecycle} keeps the versions, decides which one answers (the
 * newest caught up, or the one an operator pinned) and which ones retire, and carries that over a restart.
 */
public final class IndexService implements AutoCloseable {

    private static final String CATALOG_DIR = "catalog";

    private final VersionLifecycle versions;
    private final ImageCatalogIndex catalog;
    private final IndexReaders readers;
    private final Visibility visibility;
    private final TokenWaiters tokens;
    private final IndexSettings settings;

    public IndexService(KafkaPlatform platform, IndexSettings settings) {
        this.settings = settings;
        try {
            Files.createDirectories(settings.dataDir());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the index directory " + settings.dataDir(), e);
        }
        this.versions = new VersionLifecycle(settings);
        this.catalog = ImageCatalogIndex.open(settings.dataDir().resolve(CATALOG_DIR), settings.thumbnailSize());
        this.visibility = new Visibility(this::searchableNow);
        this.tokens = new TokenWaiters(this::reachedNow);
        this.readers = new IndexReaders(platform, settings, versions, catalog, visibility, tokens);
    }

    public IndexService start() {
        readers.start();
        return this;
    }

    // ---------------------------------------------------------------- queries

    /** The neighbours of an indexed image in the active version, the image itself excluded. */
    public SearchResult similar(String id, int k, int numCandidates) {
        return similar(id, SearchOptions.of(k, numCandidates));
    }

    /** The neighbours of an indexed image, the image itself excluded, as {@code options} ask. */
    public SearchResult similar(String id, SearchOptions options) {
        long t0 = System.nanoTime();
        VersionHandle h = versions.acquire(options.version(), options.minVersion());
        try {
            float[] vector = h.vector(id).orElseThrow(() -> unknown(id, h.version));
            return answer(h, h.search(vector, options.request(id)), options, t0);
        } finally {
            h.release();
        }
    }

    /** The neighbours of a vector (normalised here, the caller's array untouched) in the active version. */
    public SearchResult search(float[] vector, int k, int numCandidates) {
        return search(vector, SearchOptions.of(k, numCandidates));
    }

    /**
     * The neighbours of a vector (normalised here, the caller's array untouched), as {@code options} ask.
     *
     * @throws VersionNotServedException where options name a version this index does not answer with
     * @throws IllegalArgumentException for a vector of another dimension than the answering version's
     */
    public SearchResult search(float[] vector, SearchOptions options) {
        long t0 = System.nanoTime();
        VersionHandle h = versions.acquire(options.version(), options.minVersion());
        try {
            if (vector.length != h.index.dimension()) {
                throw new IllegalArgumentException("vector has " + vector.length + " dimensions, but model version "
                        + h.version + " embeds in " + h.index.dimension());
            }
            return answer(h, h.search(vector, options.request(null)), options, t0);
        } finally {
            h.release();
        }
    }

    /** An image's stored embedding in one version (null: the active one), as the index holds it (unit length). */
    public record StoredVector(String id, int modelVersion, float[] vector) {
    }

    /**
     * The embedding of an image.
     *
     * @throws VersionNotServedException where {@code version} is not answered with here
     * @throws UnknownImageException for an image the version does not hold
     */
    public StoredVector vector(String id, Integer version) {
        return vector(id, version, null);
    }

    /** As {@link #vector(String, Integer)}, never from a version below {@code minVersion} where none is named. */
    public StoredVector vector(String id, Integer version, Integer minVersion) {
        VersionHandle h = versions.acquire(version, minVersion);
        try {
            return new StoredVector(id, h.version, h.vector(id).orElseThrow(() -> unknown(id, h.version)));
        } finally {
            h.release();
        }
    }

    /** One listed image: what the catalog knows, and whether the active version (if any) finds it. */
    public record ListedImage(CatalogEntry entry, boolean indexed) {
    }

    /** A page of the listing and the cursor of the next ({@code null} after the last), with the version asked. */
    public record ImagePage(Integer activeVersion, List<ListedImage> images, String nextCursor) {
    }

    /**
     * The stored images in upload order, those matching every filter, {@code limit} at most after
     * {@code cursor} ({@link ImageCatalogIndex#list}).
     */
    public ImagePage list(List<Filter> filters, int limit, String cursor) {
        ImageCatalogIndex.Page page = catalog.list(filters, limit, cursor);
        VersionHandle h = versions.active();
        boolean held = h != null && h.acquire();
        try {
            List<ListedImage> images = new ArrayList<>(page.entries().size());
            for (CatalogEntry e : page.entries()) {
                images.add(new ListedImage(e, held && h.contains(e.id())));
            }
            return new ImagePage(held ? h.version : null, images, page.nextCursor());
        } finally {
            if (held) {
                h.release();
            }
        }
    }

    /** A sample of the active version's images with their vectors; {@code total} is how many it holds. */
    public record VectorSample(int modelVersion, int total, List<VectorIndex.Stored> vectors) {
        public VectorSample {
            vectors = List.copyOf(vectors);
        }
    }

    /** A uniform sample of at most {@code max} of the active version's vectors (seeded: the same index gives the same sample). */
    public VectorSample sample(int max, long seed) {
        VersionHandle h = versions.acquireActive();
        try {
            return new VectorSample(h.version, h.numDocs(), h.sample(max, seed));
        } finally {
            h.release();
        }
    }

    /** The version answering queries; empty before any version caught up. */
    public Optional<Integer> activeVersion() {
        VersionHandle h = versions.active();
        return h == null ? Optional.empty() : Optional.of(h.version);
    }

    /**
     * The version a query with {@code minVersion} would be answered with now (the active one, or the lowest
     * ready one of at least {@code minVersion}), for the query encoder to embed with.
     *
     * @throws NoActiveVersionException before any version answers
     * @throws VersionNotReadyException where no version of at least {@code minVersion} is ready here
     */
    public int answeringVersion(Integer minVersion) {
        VersionHandle h = versions.acquire(null, minVersion);
        try {
            return h.version;
        } finally {
            h.release();
        }
    }

    /**
     * Whether this replica answers with the cluster's serving version, so that a load balancer may send it
     * queries: true before the cluster's first switch, false while it still builds the version switched to.
     */
    public boolean servesClusterVersion() {
        return versions.servesCluster(readers.serving().currentSwitch());
    }

    /** This replica's view of the cluster: the serving version, who switched it, and every replica's report. */
    public ClusterStatus cluster() {
        ServingChannel channel = readers.serving();
        ServingView.Switch s = channel.currentSwitch();
        long now = System.currentTimeMillis();
        long timeout = settings.serving().replicaTimeout().toMillis();
        List<ClusterStatus.Replica> replicas = new ArrayList<>();
        for (ServingView.Report r : channel.view().reports().values()) {
            replicas.add(new ClusterStatus.Replica(r.replica(), r.served(), new java.util.TreeSet<>(r.ready()).stream().toList(),
                    ServingView.live(r, now, timeout), Math.max(0, now - r.seenMillis()), r.endpoint()));
        }
        return new ClusterStatus(channel.replicaId(), channel.view().coordinator(channel.replicaId(), now, timeout),
                s == null ? null : s.version(), s == null ? 0 : s.epoch(), s != null && s.pinned(), s == null ? null : s.writer(),
                s == null ? null : java.time.Instant.ofEpochMilli(s.timeMillis()).toString(), s == null ? null : s.reason(),
                servesClusterVersion(), replicas);
    }

    /** The model record of a version, where the models topic has one (version 0, the bootstrap encoder, has none). */
    public Optional<ModelVersion> model(int version) {
        return versions.model(version);
    }

    /** Every model record the models topic holds, by version. */
    public Map<Integer, ModelVersion> models() {
        return versions.models();
    }

    /** Versions retired here (their indexes deleted). */
    public Set<Integer> retiredVersions() {
        return versions.retiredVersions();
    }

    public Optional<CatalogEntry> catalogEntry(String id) {
        return catalog.find(id);
    }

    public Optional<byte[]> thumbnail(String id) {
        return catalog.thumbnail(id);
    }

    public ImageIndexStatus imageStatus(String id) {
        VersionHandle current = versions.active();
        List<ImageIndexStatus.PerVersion> per = new ArrayList<>();
        for (VersionHandle h : versions.newestFirst()) {
            if (h.acquire()) {
                try {
                    boolean indexed = h.contains(id);
                    ImageIndexStatus.Stamps stamps = indexed ? visibility.stamps(id, h.version).orElse(null) : null;
                    per.add(new ImageIndexStatus.PerVersion(h.version, h == current, indexed, stamps));
                } finally {
                    h.release();
                }
            }
        }
        return new ImageIndexStatus(id, catalog.contains(id), per);
    }

    /**
     * Completes with true as soon as the image is searchable in the active version (at once where it is
     * already), or with false after {@code timeout}; no thread waits meanwhile.
     */
    public CompletableFuture<Boolean> awaitSearchable(String id, Duration timeout) {
        return visibility.await(id, timeout);
    }

    /**
     * Completes with true as soon as the upload at {@code token} (and every earlier one of its partition) is
     * searchable in the active version, at once where it is, or with false after {@code timeout}: a client that
     * passes the token of its last upload reads its own writes. No thread waits meanwhile.
     */
    public CompletableFuture<Boolean> awaitToken(UploadToken token, Duration timeout) {
        return tokens.await(token, timeout);
    }

    private boolean reachedNow(UploadToken token) {
        VersionHandle h = versions.active();
        return h != null && h.reached(token);
    }

    private boolean searchableNow(String id) {
        VersionHandle h = versions.active();
        if (h == null || !h.acquire()) {
            return false;
        }
        try {
            return h.contains(id);
        } finally {
            h.release();
        }
    }

    public IndexStatus status() {
        VersionHandle current = versions.active();
        List<VersionStatus> out = new ArrayList<>();
        for (VersionHandle h : versions.newestFirst()) {
            if (!h.acquire()) {
                continue;
            }
            try {
                ModelVersion m = versions.model(h.version).orElse(null);
                out.add(new VersionStatus(h.version, VersionLifecycle.state(h, current), h.numDocs(), h.index.dimension(),
                        h.embedderLag, versions.indexLag(), versions.caughtUp(h, current), h.index.rebuilt(),
                        m == null ? null : m.getArchitecture(), m == null ? Map.of() : m.getMetrics()));
            } finally {
                h.release();
            }
        }
        return new IndexStatus(current == null ? null : current.version, catalog.size(), out);
    }

    /** Embedding records applied to an index since this service started (a resumed index skips what it holds). */
    public long appliedSinceStart() {
        return readers.applied();
    }

    /** Embedding records refused (undecodable, wrong dimension, non-finite values) and sent to the dead-letter topic. */
    public long refused() {
        return readers.refused();
    }

    /** Waits until the catalog has read what the images topic held at start. */
    public boolean awaitCatalog(Duration timeout) throws InterruptedException {
        return readers.awaitCatalog(timeout);
    }

    private UnknownImageException unknown(String id, int version) {
        if (catalog.contains(id)) {
            return new UnknownImageException("image '" + id + "' is accepted but not yet searchable in model version " + version, true);
        }
        return new UnknownImageException("no image with id '" + id + "'", false);
    }

    private SearchResult answer(VersionHandle h, List<VectorIndex.Hit> hits, SearchOptions o, long t0) {
        List<SearchHit> out = new ArrayList<>(hits.size());
        for (VectorIndex.Hit hit : hits) {
            Optional<CatalogEntry> e = catalog.find(hit.id());
            out.add(new SearchHit(hit.id(), hit.score(), h.version, e.map(CatalogEntry::format).orElse(null),
                    e.map(CatalogEntry::filename).orElse(null), e.map(CatalogEntry::metadata).orElse(Map.of())));
        }
        return new SearchResult(h.version, o.k(), o.numCandidates(), o.from(), (System.nanoTime() - t0) / 1e6, out);
    }

    @Override
    public void close() throws InterruptedException {
        readers.stop();
        versions.close();
        catalog.close();
        readers.closeClients();
    }
}
