package io.planstream.index.service;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * When recently indexed images became searchable, and the requests that wait until one is.
 *
 * <p>The embeddings thread reports each embedding it applies ({@link #applied}) and each refresh that
 * makes a version's new documents visible ({@link #refreshed}); the stamps ({@link ImageIndexStatus.Stamps}) of the
 * newest {@value #RECENT} (image, version) pairs are kept, so that a client (or {@code bench e2e}) learns where the time went.
 * A waiter ({@link #await}) is answered at the first refresh that makes its image searchable in the active
 * version, or at the switch of the active version after which it is: no polling, no delay beyond the refresh itself.
 */
final class Visibility {

    /** (image, version) pairs whose stamps are kept. */
    static final int RECENT = 10_000;

    private record Key(String id, int version) {
    }

    private final Predicate<String> searchableNow;
    /** Applied but not yet refreshed, per version; touched only by the embeddings thread. */
    private final Map<Integer, List<String>> unrefreshed = new HashMap<>();
    private final Map<Key, ImageIndexStatus.Stamps> recent = new LinkedHashMap<>(1024, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, ImageIndexStatus.Stamps> eldest) {
            return size() > RECENT;
        }
    };
    private final Map<String, Set<CompletableFuture<Boolean>>> waiters = new ConcurrentHashMap<>();

    /** @param searchableNow whether an image is searchable in the active version now */
    Visibility(Predicate<String> searchableNow) {
        this.searchableNow = searchableNow;
    }

    /** An embedding was applied to {@code version}'s index; it becomes searchable at the version's next refresh. */
    void applied(int version, String id, long uploadedMs, long embeddedMs, long nowMs) {
        unrefreshed.computeIfAbsent(version, v -> new ArrayList<>()).add(id);
        synchronized (recent) {
            recent.put(new Key(id, version), new ImageIndexStatus.Stamps(uploadedMs, embeddedMs, nowMs, 0));
        }
    }

    /** An image left {@code version}'s index. */
    void deleted(int version, String id) {
        synchronized (recent) {
            recent.remove(new Key(id, version));
        }
    }

    /**
     * A refresh of {@code version} made what was applied to it searchable; answers the waiters of those images.
     * Only they can have become searchable: the waiters of other images are not looked up again at every refresh.
     */
    void refreshed(int version, long nowMs) {
        List<String> ids = unrefreshed.remove(version);
        if (ids == null) {
            return;
        }
        synchronized (recent) {
            for (String id : ids) {
                recent.computeIfPresent(new Key(id, version),
                        (k, s) -> s.searchable() == 0 ? new ImageIndexStatus.Stamps(s.uploaded(), s.embedded(), s.indexed(), nowMs) : s);
            }
        }
        for (String id : ids) {
            answerIfSearchable(id);
        }
    }

    /** A retired version's pending stamps go with it. */
    void retired(int version) {
        unrefreshed.remove(version);
    }

    /** Answers every waiter whose image is searchable in the active version now (after a switch of that version). */
    void signal() {
        for (String id : waiters.keySet()) {
            answerIfSearchable(id);
        }
    }

    private void answerIfSearchable(String id) {
        Set<CompletableFuture<Boolean>> set = waiters.get(id);
        if (set != null && !set.isEmpty() && searchableNow.test(id)) {
            for (CompletableFuture<Boolean> f : List.copyOf(set)) {
                f.complete(true);
            }
        }
    }

    /**
     * Completes with true once the image is searchable in the active version (at once where it is), or
     * with false after {@code timeout}.
     */
    CompletableFuture<Boolean> await(String id, Duration timeout) {
        CompletableFuture<Boolean> f = new CompletableFuture<>();
        // Added and removed inside compute: atomic per id, so no waiter lands in a set already dropped.
        waiters.compute(id, (k, s) -> {
            Set<CompletableFuture<Boolean>> set = s == null ? ConcurrentHashMap.newKeySet() : s;
            set.add(f);
            return set;
        });
        f.whenComplete((r, e) -> waiters.computeIfPresent(id, (k, s) -> {
            s.remove(f);
            return s.isEmpty() ? null : s;
        }));
        // Registered first, then checked: a refresh in between answers it through signal(), or this does.
        if (searchableNow.test(id)) {
            f.complete(true);
        } else {
            f.completeOnTimeout(false, timeout.toNanos(), TimeUnit.NANOSECONDS);
        }
        return f;
    }

    /** Requests waiting now. */
    int waiting() {
        return waiters.values().stream().mapToInt(Set::size).sum();
    }

    /** The stamps of an image in a version, if it is among the recent ones. */
    Optional<ImageIndexStatus.Stamps> stamps(String id, int version) {
        synchronized (recent) {
            return Optional.ofNullable(recent.get(new Key(id, version)));
        }
    }
}
