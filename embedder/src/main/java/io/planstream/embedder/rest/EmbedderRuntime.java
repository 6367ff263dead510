package io.planstream.embedder.rest;

import java.util.List;

import io.planstream.embedder.model.ForwardWorkers;
import io.planstream.embedder.streams.EmbedderService;

/** The embedder of this process, as the application runs it: what the embedder's routes report. */
public interface EmbedderRuntime {

    /** Whether this process runs the embedder role and its service has started. */
    boolean running();

    /** The model versions the embedder runs, their state and lag; empty where it does not run. */
    List<EmbedderService.VersionStatus> status();

    /** Model versions whose artifacts the embedder refused since it started. */
    long refusedArtifacts();

    /** Why the last artifact was refused, or null. */
    String lastRefusal();

    /** The forward workers, or null where the embedder does not run. */
    ForwardWorkers forwardWorkers();
}
