package io.planstream.index.service;

import java.util.List;

/** The versions the index holds, newest first, and the one answering queries (null before any caught up). */
public record IndexStatus(Integer active, int images, List<VersionStatus> versions) {
    public IndexStatus {
        versions = List.copyOf(versions);
    }
}
