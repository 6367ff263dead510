package io.planstream.index.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/** Stamps and waiters of {@link Visibility}, with the active version's content as a plain set. */
class VisibilityTest {

    private final Set<String> searchable = ConcurrentHashMap.newKeySet();
    private final Visibility visibility = new Visibility(searchable::contains);

    @Test
    void shouldAnswerAWaiterAtTheRefreshThatMakesItsImageSearchableAndNotBefore() throws Exception {
        CompletableFuture<Boolean> wait = visibility.await("a", Duration.ofSeconds(30));
        visibility.applied(1, "a", 1_000, 1_050, 1_100);
        assertThat(wait).isNotDone();
        assertThat(visibility.waiting()).isEqualTo(1);

        searchable.add("a");
        visibility.refreshed(1, 1_120);
        assertThat(wait.get(1, TimeUnit.SECONDS)).isTrue();
        assertThat(visibility.waiting()).isZero();
        assertThat(visibility.stamps("a", 1)).contains(new ImageIndexStatus.Stamps(1_000, 1_050, 1_100, 1_120));
    }

    @Test
    void shouldAnswerAtOnceWhenTheImageIsSearchableAlready() throws Exception {
        searchable.add("b");
        assertThat(visibility.await("b", Duration.ofSeconds(30)).get(1, TimeUnit.SECONDS)).isTrue();
        assertThat(visibility.waiting()).isZero();
    }

    @Test
    void shouldAnswerFalseAtTheTimeoutAndForgetTheWaiter() throws Exception {
        CompletableFuture<Boolean> wait = visibility.await("never", Duration.ofMillis(50));
        assertThat(wait.get(5, TimeUnit.SECONDS)).isFalse();
        assertThat(visibility.waiting()).isZero();
    }

    @Test
    void shouldAnswerWaitersWhenASwitchOfTheActiveVersionMakesTheirImageSearchable() throws Exception {
        CompletableFuture<Boolean> wait = visibility.await("c", Duration.ofSeconds(30));
        // Refreshed in another version: not searchable in the active one yet.
        visibility.applied(2, "c", 0, 10, 20);
        visibility.refreshed(2, 30);
        assertThat(wait).isNotDone();
        searchable.add("c");
        visibility.signal();
        assertThat(wait.get(1, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void shouldStampOnlyTheRefreshedVersionAndKeepTheFirstSearchableTime() {
        visibility.applied(1, "d", 0, 10, 20);
        visibility.applied(2, "d", 0, 15, 25);
        visibility.refreshed(1, 40);
        visibility.refreshed(1, 90);
        assertThat(visibility.stamps("d", 1).orElseThrow().searchable()).isEqualTo(40);
        assertThat(visibility.stamps("d", 2).orElseThrow().searchable()).isZero();
        visibility.deleted(2, "d");
        assertThat(visibility.stamps("d", 2)).isEmpty();
    }

    @Test
    void shouldKeepOnlyTheNewestStamps() {
        for (int i = 0; i <= Visibility.RECENT; i++) {
            visibility.applied(1, "img-" + i, 0, i, i);
        }
        visibility.refreshed(1, 1);
        assertThat(visibility.stamps("img-0", 1)).isEmpty();
        assertThat(visibility.stamps("img-" + Visibility.RECENT, 1)).isPresent();
    }

    @Test
    void shouldAnswerEveryWaiterOfOneImageAndManyImagesAtOnce() throws Exception {
        CompletableFuture<Boolean> a1 = visibility.await("e", Duration.ofSeconds(30));
        CompletableFuture<Boolean> a2 = visibility.await("e", Duration.ofSeconds(30));
        CompletableFuture<Boolean> other = visibility.await("f", Duration.ofSeconds(30));
        visibility.applied(1, "e", 0, 1, 2);
        searchable.add("e");
        visibility.refreshed(1, 5);
        assertThat(a1.get(1, TimeUnit.SECONDS)).isTrue();
        assertThat(a2.get(1, TimeUnit.SECONDS)).isTrue();
        assertThat(other).isNotDone();
        assertThat(visibility.waiting()).isEqualTo(1);
        other.cancel(false);
        assertThat(visibility.waiting()).isZero();
    }

    @Test
    void shouldLookUpOnlyTheImagesARefreshMadeVisible() throws Exception {
        java.util.List<String> lookedUp = new java.util.concurrent.CopyOnWriteArrayList<>();
        Visibility counted = new Visibility(id -> {
            lookedUp.add(id);
            return searchable.contains(id);
        });
        CompletableFuture<Boolean> g = counted.await("g", Duration.ofSeconds(30));
        CompletableFuture<Boolean> h = counted.await("h", Duration.ofSeconds(30));
        lookedUp.clear();
        counted.applied(1, "g", 0, 1, 2);
        searchable.add("g");
        // h is searchable too, but this refresh did not make it so: its waiter waits for its own refresh or a switch.
        searchable.add("h");
        counted.refreshed(1, 5);
        assertThat(g.get(1, TimeUnit.SECONDS)).isTrue();
        assertThat(h).isNotDone();
        assertThat(lookedUp).containsExactly("g");
        counted.signal();
        assertThat(h.get(1, TimeUnit.SECONDS)).isTrue();
    }
}
