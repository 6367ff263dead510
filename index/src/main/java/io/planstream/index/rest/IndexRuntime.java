package io.planstream.index.rest;

import java.util.Optional;

import io.planstream.index.service.IndexService;

/** The index of this process, as the application runs it: what the query routes search. */
public interface IndexRuntime {

    /** Empty where this process does not run the index role. */
    Optional<IndexService> service();

    /** Candidates the HNSW graph gathers when a query names none (at least 1.5 k is taken). */
    int defaultNumCandidates();
}
