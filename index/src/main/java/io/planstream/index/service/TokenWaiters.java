package io.planstream.index.service;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import io.planstream.platform.UploadToken;

/**
 * The requests that wait until an upload's position ({@link UploadToken}) is searchable in the active
 * version: read-your-writes for a client that passes the token of its last upload. Answered at the first
 * refresh or switch after which the active version has made the position searchable; no thread waits.
 */
final class TokenWaiters {

    private record Waiter(UploadToken token, CompletableFuture<Boolean> done) {
    }

    private final Predicate<UploadToken> reached;
    private final Set<Waiter> waiting = ConcurrentHashMap.newKeySet();

    /** @param reached whether the active version has made a position searchable now */
    TokenWaiters(Predicate<UploadToken> reached) {
        this.reached = reached;
    }

    /** Completes with true once {@code token} is searchable in the active version (at once where it is), false after {@code timeout}. */
    CompletableFuture<Boolean> await(UploadToken token, Duration timeout) {
        CompletableFuture<Boolean> f = new CompletableFuture<>();
        Waiter w = new Waiter(token, f);
        waiting.add(w);
        f.whenComplete((r, e) -> waiting.remove(w));
        // Registered first, then checked: a refresh in between answers it through check(), or this does.
        if (reached.test(token)) {
            f.complete(true);
        } else {
            f.completeOnTimeout(false, timeout.toNanos(), TimeUnit.NANOSECONDS);
        }
        return f;
    }

    /** After a refresh or a switch of the active version: answers every waiter whose position is searchable now. */
    void check() {
        for (Waiter w : waiting) {
            if (reached.test(w.token())) {
                w.done().complete(true);
            }
        }
    }

    /** Requests waiting now. */
    int waiting() {
        return waiting.size();
    }
}
