package io.planstream.index.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.planstream.avro.ImageFormat;
import io.planstream.avro.ImageRecord;
import io.planstream.index.filter.Filter;

class CatalogListingTest {

    @TempDir
    Path tmp;

    private static ImageRecord image(String id, long uploadMillis, int bedrooms) {
        return ImageRecord.newBuilder().setId(id).setContentType("image/png").setFormat(ImageFormat.RPLAN)
                .setOriginal(ByteBuffer.wrap(new byte[] {1})).setRendered(null).setWidth(8).setHeight(8).setSource("test")
                .setFilename(null).setSha256("00").setUploadTime(Instant.ofEpochMilli(uploadMillis))
                .setMetadata(Map.of("rooms.bedroom", Integer.toString(bedrooms))).build();
    }

    @Test
    void shouldListInUploadOrderPageByPageWithFiltersAndStableCursors() {
        try (ImageCatalogIndex catalog = ImageCatalogIndex.open(tmp.resolve("catalog"), 16)) {
            // ids out of upload order, and two uploads in the same millisecond (ordered by id)
            for (int i = 0; i < 25; i++) {
                catalog.put(image("img-" + (char) ('z' - i), 1_000L * (i / 2), i % 4));
            }
            catalog.refresh();
            List<String> seen = new ArrayList<>();
            String cursor = null;
            int pages = 0;
            do {
                ImageCatalogIndex.Page page = catalog.list(List.of(), 10, cursor);
                page.entries().forEach(e -> seen.add(e.id()));
                cursor = page.nextCursor();
                pages++;
                if (pages == 1) {
                    // an upload after the first page lands at the end: pages already read do not shift
                    catalog.put(image("img-late", 99_000L, 1));
                    catalog.refresh();
                }
            } while (cursor != null);
            assertThat(seen).hasSize(26).doesNotHaveDuplicates().endsWith("img-late");
            assertThat(seen.subList(0, 4)).containsExactly("img-y", "img-z", "img-w", "img-x");

            List<String> two = catalog.list(Filter.parseAll(List.of("rooms.bedroom:2")), 100, null).entries().stream()
                    .map(CatalogEntry::id).toList();
            assertThat(two).hasSize(6).allSatisfy(id -> assertThat(catalog.find(id).orElseThrow().metadata())
                    .containsEntry("rooms.bedroom", "2"));

            catalog.delete("img-z");
            catalog.refresh();
            assertThat(catalog.list(List.of(), 100, null).entries()).extracting(CatalogEntry::id).doesNotContain("img-z");

            assertThatThrownBy(() -> catalog.list(List.of(), 10, "not-a-cursor"))
                    .hasMessageContaining("is not one this server gave out");
            assertThatThrownBy(() -> catalog.list(List.of(), 0, null)).hasMessage("limit must be between 1 and 1000, got 0");
        }
    }

    @Test
    void shouldShowEveryChangeToReadsWithoutWaitingForTheTimedRefresh() {
        try (ImageCatalogIndex catalog = ImageCatalogIndex.open(tmp.resolve("fresh"), 16)) {
            catalog.put(image("a", 1_000L, 1));
            catalog.refresh();
            assertThat(catalog.hasUnseenChanges()).isFalse();

            // no refresh between the writes and the reads: each read of a changed entry sees the change
            catalog.put(image("b", 2_000L, 2));
            catalog.put(image("a", 1_000L, 3));
            assertThat(catalog.hasUnseenChanges()).isTrue();
            assertThat(catalog.contains("b")).isTrue();
            assertThat(catalog.find("a").orElseThrow().metadata()).containsEntry("rooms.bedroom", "3");
            assertThat(catalog.find("b")).isPresent();

            catalog.delete("b");
            assertThat(catalog.contains("b")).isFalse();
            assertThat(catalog.find("b")).isEmpty();
            catalog.put(image("c", 3_000L, 1));
            assertThat(catalog.list(List.of(), 10, null).entries()).extracting(CatalogEntry::id).containsExactly("a", "c");
            assertThat(catalog.hasUnseenChanges()).isFalse();
            assertThat(catalog.contains("nobody")).isFalse();
        }
    }
}
