package io.planstream.index.lucene;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;

import org.apache.lucene.index.BinaryDocValues;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.KnnVectorValues;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.PostingsEnum;
import org.apache.lucene.index.Terms;
import org.apache.lucene.index.TermsEnum;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.BytesRef;

/**
 * Reads the images of a {@link VectorIndex} back from one point-in-time reader: one image's stored vector,
 * whether an image is there, and a sample of images with their vectors.
 */
final class StoredVectors {

    private StoredVectors() {
    }

    /** The stored vector of the image {@code id} (its UTF-8 bytes {@code term}), or empty when there is none. */
    static Optional<float[]> vector(IndexReader reader, BytesRef term, String id) throws IOException {
        for (LeafReaderContext leaf : reader.leaves()) {
            int doc = liveDoc(leaf.reader(), term);
            if (doc != DocIdSetIterator.NO_MORE_DOCS) {
                FloatVectorValues values = leaf.reader().getFloatVectorValues(VectorIndex.VECTOR_FIELD);
                KnnVectorValues.DocIndexIterator docs = values == null ? null : values.iterator();
                if (docs == null || docs.advance(doc) != doc) {
                    throw new IllegalStateException("document of " + id + " in " + leaf + " has no vector");
                }
                return Optional.of(values.vectorValue(docs.index()).clone());
            }
        }
        return Optional.empty();
    }

    /**
     * A uniform sample of at most {@code max} images with their vectors: a reservoir over the live
     * documents, drawn with a {@link Random} of {@code seed}, so the same reader and seed give the same sample.
     */
    static List<VectorIndex.Stored> sample(IndexReader reader, int max, long seed) throws IOException {
        Random random = new Random(seed);
        List<VectorIndex.Stored> reservoir = new ArrayList<>(Math.min(max, 1024));
        long seen = 0;
        for (LeafReaderContext leaf : reader.leaves()) {
            FloatVectorValues values = leaf.reader().getFloatVectorValues(VectorIndex.VECTOR_FIELD);
            BinaryDocValues ids = leaf.reader().getBinaryDocValues(VectorIndex.ID_FIELD);
            if (values == null || ids == null) {
                continue;
            }
            Bits live = leaf.reader().getLiveDocs();
            KnnVectorValues.DocIndexIterator docs = values.iterator();
            for (int doc = docs.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = docs.nextDoc()) {
                if (live != null && !live.get(doc)) {
                    continue;
                }
                seen++;
                int slot = reservoir.size() < max ? -1 : (int) Math.min(Integer.MAX_VALUE, random.nextLong(seen));
                if (slot >= max) {
                    continue;
                }
                if (!ids.advanceExact(doc)) {
                    throw new IllegalStateException("document " + doc + " of " + leaf + " has no id");
                }
                VectorIndex.Stored s = new VectorIndex.Stored(ids.binaryValue().utf8ToString(),
                        values.vectorValue(docs.index()).clone());
                if (slot < 0) {
                    reservoir.add(s);
                } else {
                    reservoir.set(slot, s);
                }
            }
        }
        return reservoir;
    }

    /** Whether the image whose id has the UTF-8 bytes {@code term} is in the index. */
    static boolean contains(IndexReader reader, BytesRef term) throws IOException {
        for (LeafReaderContext leaf : reader.leaves()) {
            if (liveDoc(leaf.reader(), term) != DocIdSetIterator.NO_MORE_DOCS) {
                return true;
            }
        }
        return false;
    }

    /** The live document with this id in the segment, or NO_MORE_DOCS. */
    private static int liveDoc(LeafReader reader, BytesRef id) throws IOException {
        Terms terms = reader.terms(VectorIndex.ID_FIELD);
        if (terms == null) {
            return DocIdSetIterator.NO_MORE_DOCS;
        }
        TermsEnum te = terms.iterator();
        if (!te.seekExact(id)) {
            return DocIdSetIterator.NO_MORE_DOCS;
        }
        Bits live = reader.getLiveDocs();
        PostingsEnum postings = te.postings(null, PostingsEnum.NONE);
        for (int doc = postings.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = postings.nextDoc()) {
            if (live == null || live.get(doc)) {
                return doc;
            }
        }
        return DocIdSetIterator.NO_MORE_DOCS;
    }
}
