package io.planstream.index.service;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.planstream.avro.ModelState;
import io.planstream.avro.ModelVersion;
import io.planstream.index.lucene.VectorIndex;
import io.planstream.models.ModelTarget;

/**
 * The index's model versions and the choice of the one that answers queries: opening a version's index,
 * activation once it has caught up, the target an operator pinned, retirement of old versions, and the
 * small state file that carries all of this over a restart. It reads no topic: the readers hand it the
 * model records and the lags they measure, so every decision here can be tested without Kafka.
 *
 * <p>The active version is the one the cluster switched to ({@link ServingView}): this replica reports the
 * versions whose embedder and index have both caught up (lag under {@link IndexSettings#catchUpLag()}) and
 * that hold at least as many images as the version they replace, and follows the switch once it holds
 * the version ready. The switch is one reference swap, and a query holds one version's index from start
 * to end, so it never mixes versions.
 */
final class VersionLifecycle implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(VersionLifecycle.class);
    private static final String STATE_FILE = "versions.properties";

    private final IndexSettings settings;
    private final ConcurrentSkipListMap<Integer, VersionHandle> versions = new ConcurrentSkipListMap<>();
    private final Set<Integer> retired = ConcurrentHashMap.newKeySet();
    private final Map<Integer, Integer> dimensions = new ConcurrentHashMap<>();
    private final Map<Integer, ModelVersion> models = new ConcurrentHashMap<>();
    private final AtomicReference<VersionHandle> active = new AtomicReference<>();
    private volatile Integer savedActive;
    private volatile long indexLag = -1;

    /** Opens the versions the state file in {@code settings.dataDir()} names (which must exist). */
    VersionLifecycle(IndexSettings settings) {
        this.settings = settings;
        loadState();
    }

    // ---------------------------------------------------------------- versions

    /** Opens (or creates) the index of {@code version}; an existing directory of another dimension is rebuilt. */
    VersionHandle open(int version, int dimension) {
        Path dir = settings.dataDir().resolve("v" + version);
        VectorIndex index;
        try {
            try {
                index = VectorIndex.open(dir, dimension, settings.hnsw());
            } catch (IllegalArgumentException e) {
                // The directory holds another dimension: it cannot be this version's index, so it is rebuilt.
                LOG.warn("index of model version {} in {} does not match ({}); rebuilding it", version, dir, e.getMessage());
                VectorIndex.deleteIndex(dir);
                index = VectorIndex.open(dir, dimension, settings.hnsw());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the index of model version " + version + " in " + dir, e);
        }
        VersionHandle h = new VersionHandle(version, index);
        versions.put(version, h);
        dimensions.put(version, dimension);
        saveState();
        LOG.info("index of model version {} opened ({} dimensions, {} documents{})", version, dimension, h.numDocs(),
                index.rebuilt() ? ", rebuilt from the topic" : "");
        return h;
    }

    /** The open version, or null. */
    VersionHandle get(int version) {
        return versions.get(version);
    }

    /** The open versions, oldest first. */
    Collection<VersionHandle> versions() {
        return versions.values();
    }

    /** The open versions, newest first. */
    Collection<VersionHandle> newestFirst() {
        return versions.descendingMap().values();
    }

    boolean isRetired(int version) {
        return retired.contains(version);
    }

    /** Versions retired here (their indexes deleted). */
    Set<Integer> retiredVersions() {
        return Set.copyOf(retired);
    }

    /** The version answering queries, or null before any caught up. */
    VersionHandle active() {
        return active.get();
    }

    // ---------------------------------------------------------------- what the readers report

    /** A record of the models topic: its state may name a new target ({@link ModelTarget}). */
    void putModel(ModelVersion model) {
        models.put(model.getVersion(), model);
    }

    Optional<ModelVersion> model(int version) {
        return Optional.ofNullable(models.get(version));
    }

    Map<Integer, ModelVersion> models() {
        return Map.copyOf(models);
    }

    /** The embeddings reader's lag behind the topic's end, summed over partitions; -1 while unknown. */
    void indexLag(long lag) {
        indexLag = lag;
    }

    long indexLag() {
        return indexLag;
    }

    // ---------------------------------------------------------------- activation and retirement

    /**
     * Whether {@code h} may answer instead of {@code current}: its embedder and the index reader both lag by
     * at most {@link IndexSettings#catchUpLag()}, and it holds about as many images as {@code current}.
     */
    boolean caughtUp(VersionHandle h, VersionHandle current) {
        if (!lagsWithin(h)) {
            return false;
        }
        long lag = settings.catchUpLag();
        return current == null || current == h || h.numDocs() + lag >= current.numDocs();
    }

    /** Whether the embedder of {@code h} and the index reader both lag by at most {@link IndexSettings#catchUpLag()}. */
    private boolean lagsWithin(VersionHandle h) {
        long lag = settings.catchUpLag();
        return h.embedderLag >= 0 && h.embedderLag <= lag && indexLag >= 0 && indexLag <= lag;
    }

    /** What a version is to the status: {@code active}, {@code standby} (a roll-back target) or {@code building}. */
    static String state(VersionHandle h, VersionHandle current) {
        if (h == current) {
            return "active";
        }
        return h.everActive || (current != null && h.version < current.version) ? "standby" : "building";
    }

    /** After a restart, the version that answered before answers again, unless its index had to be rebuilt. */
    void restoreActive() {
        Integer saved = savedActive;
        if (saved != null) {
            VersionHandle h = versions.get(saved);
            if (h != null && !h.index.rebuilt()) {
                h.everActive = true;
                active.set(h);
                LOG.info("model version {} answers queries again ({} documents)", saved, h.numDocs());
            }
        }
    }

    /** The version the models topic names: the newest published, or one an operator pinned; empty for none. */
    OptionalInt target() {
        return ModelTarget.select(models);
    }

    /** Whether an operator pinned {@code target} (as {@link #target()} gives it). */
    boolean pinned(OptionalInt target) {
        return target.isPresent() && models.get(target.getAsInt()).getState() == ModelState.PINNED;
    }

    /**
     * The versions this replica could answer with at once: the active one, and those indexed up to the end
     * of their backfill ({@link #caughtUp}). Once ready, a version stays ready: a lag that grows for a moment
     * under a burst of uploads does not take back what this replica told the cluster.
     */
    Set<Integer> readyVersions() {
        VersionHandle current = active.get();
        Set<Integer> out = new TreeSet<>();
        for (VersionHandle h : versions.values()) {
            if (h == current || h.ready || caughtUp(h, current)) {
                h.ready = true;
                out.add(h.version);
            }
        }
        return out;
    }

    /**
     * Answers with the version the cluster switched to, as soon as this replica holds it ready; until then the
     * current one goes on (and {@link #servesCluster} is false, so the readiness probe keeps queries away).
     */
    void follow(ServingView.Switch cluster) {
        if (cluster == null) {
            return;
        }
        VersionHandle current = active.get();
        VersionHandle h = versions.get(cluster.version());
        // The cluster has left the current version: only the lags say whether this replica holds the new one, not
        // a comparison with the version it replaces (which may hold an upload or two more while both are written).
        if (h != null && h != current && (h.ready || h.everActive || lagsWithin(h))) {
            h.ready = true;
            activate(h, current);
        }
    }

    /** Whether this replica answers with the cluster's version (true before the cluster's first switch). */
    boolean servesCluster(ServingView.Switch cluster) {
        VersionHandle current = active.get();
        return cluster == null || (current != null && current.version == cluster.version());
    }

    private void activate(VersionHandle h, VersionHandle previous) {
        h.everActive = true;
        active.set(h);
        saveState();
        LOG.info("model version {} now answers queries ({} documents){}", h.version, h.numDocs(),
                previous == null ? "" : "; version " + previous.version + " stays on standby");
    }

    /**
     * The versions to retire: those older than the active one beyond the newest {@code retainVersions - 1};
     * the target version (which may be an older one an operator pinned) is never retired. The caller retires
     * them on the thread that writes the indexes.
     */
    List<Integer> toRetire() {
        VersionHandle current = active.get();
        if (current == null) {
            return List.of();
        }
        OptionalInt target = ModelTarget.select(models);
        List<Integer> older = new ArrayList<>(versions.headMap(current.version).descendingKeySet());
        List<Integer> out = new ArrayList<>();
        for (int i = settings.retainVersions() - 1; i < older.size(); i++) {
            int v = older.get(i);
            if (target.isEmpty() || target.getAsInt() != v) {
                out.add(v);
            }
        }
        return out;
    }

    /** Retires a version; to run on the embeddings thread, the only writer of the version indexes. */
    void retire(int version) {
        VersionHandle h = versions.remove(version);
        if (h == null) {
            return;
        }
        retired.add(version);
        dimensions.remove(version);
        saveState();
        h.retire(true);
        LOG.info("model version {} retired; its index is deleted once no query holds it", version);
    }

    // ---------------------------------------------------------------- queries

    /**
     * The index of {@code version} held for a query, or of the active version where it is null. A
     * version is answered with where it is active or was once (on standby, for a roll-back): a
     * building version's index is incomplete.
     */
    VersionHandle acquire(Integer version) {
        return acquire(version, null);
    }

    /**
     * As {@link #acquire(Integer)}, never with a version below {@code minVersion} where no version is named:
     * a client that was answered by version m elsewhere in the cluster passes m. Below it, the lowest version
     * of at least m that this replica holds ready answers, even before this replica reads the switch to it.
     *
     * @throws VersionNotReadyException where this replica holds no such version ready yet
     */
    VersionHandle acquire(Integer version, Integer minVersion) {
        if (version == null && minVersion != null) {
            VersionHandle current = active.get();
            if (current == null || current.version < minVersion) {
                for (VersionHandle h : versions.tailMap(minVersion).values()) {
                    if ((h.ready || h.everActive) && h.acquire()) {
                        return h;
                    }
                }
                throw new VersionNotReadyException("model version " + minVersion + " or newer is not ready on this replica yet ("
                        + (current == null ? "no version answers here yet" : "it answers with version " + current.version)
                        + "); ask another replica or retry shortly");
            }
        }
        if (version == null) {
            return acquireActive();
        }
        VersionHandle current = active.get();
        VersionHandle h = versions.get(version);
        if (h == null || !served(h, current) || !h.acquire()) {
            throw new VersionNotServedException("model version " + version + " is not served here; "
                    + (current == null ? "no version is active yet" : "the active version is " + current.version)
                    + ", and these answer queries: " + servedVersions());
        }
        return h;
    }

    VersionHandle acquireActive() {
        while (true) {
            VersionHandle h = active.get();
            if (h == null) {
                throw new NoActiveVersionException("no model version's index has caught up yet"
                        + (versions.isEmpty() ? " (no embeddings received)" : " (building: " + versions.keySet() + ")") + "; retry shortly");
            }
            if (h.acquire()) {
                return h;
            }
        }
    }

    private List<Integer> servedVersions() {
        VersionHandle current = active.get();
        return versions.values().stream().filter(h -> served(h, current)).map(h -> h.version).toList();
    }

    private static boolean served(VersionHandle h, VersionHandle current) {
        return h == current || h.everActive;
    }

    // ---------------------------------------------------------------- state file

    /**
     * The live versions with their dimensions, the retired ones and the active one survive a restart in a
     * small properties file, so that an index directory deleted by hand is noticed (and rebuilt) and a
     * restarted process answers queries from the same version at once.
     */
    private void loadState() {
        Path file = settings.dataDir().resolve(STATE_FILE);
        if (!Files.exists(file)) {
            return;
        }
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(file)) {
            p.load(in);
        } catch (IOException e) {
            LOG.warn("cannot read {} ({}); every version index is rebuilt from the topic", file, e.toString());
            return;
        }
        for (String v : p.getProperty("retired", "").split(",")) {
            if (!v.isBlank()) {
                retired.add(Integer.parseInt(v.trim()));
            }
        }
        for (String key : p.stringPropertyNames()) {
            if (key.startsWith("v") && key.endsWith(".dimension")) {
                int version = Integer.parseInt(key.substring(1, key.length() - ".dimension".length()));
                if (!retired.contains(version)) {
                    open(version, Integer.parseInt(p.getProperty(key)));
                }
            }
        }
        String a = p.getProperty("active");
        savedActive = a == null || a.isBlank() ? null : Integer.valueOf(a);
    }

    private synchronized void saveState() {
        Properties p = new Properties();
        dimensions.forEach((v, d) -> p.setProperty("v" + v + ".dimension", Integer.toString(d)));
        p.setProperty("retired", retired.stream().sorted().map(String::valueOf).collect(Collectors.joining(",")));
        VersionHandle a = active.get();
        if (a != null) {
            p.setProperty("active", Integer.toString(a.version));
        }
        Path file = settings.dataDir().resolve(STATE_FILE);
        Path tmp = file.resolveSibling(STATE_FILE + ".tmp");
        try (Writer out = Files.newBufferedWriter(tmp)) {
            p.store(out, "index versions");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + tmp, e);
        }
        try {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot replace " + file, e);
        }
    }

    /** Gives up every version's index, keeping its files. */
    @Override
    public void close() {
        for (VersionHandle h : versions.values()) {
            h.retire(false);
        }
        versions.clear();
    }
}
