package io.planstream.simclr.eval;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** The ways of measuring a representation that SimCLR reports (Chen et al. 2020, section 4 and appendix B). */
public enum Protocol {
    /** Frozen encoder, multinomial logistic regression with L2 on h. */
    LINEAR("linear"),
    /** Frozen encoder, weighted k-nearest neighbours by cosine similarity of h (Wu et al. 2018). */
    KNN("knn"),
    /** Encoder and a linear head trained end to end on labels. */
    FINETUNE("finetune"),
    /** Frozen encoder, leave-one-out search by cosine similarity, scored against known ground truth (plans). */
    RETRIEVAL("retrieval");

    private final String id;

    Protocol(String id) {
        this.id = id;
    }

    /** @return the name used on the command line and in results */
    public String id() {
        return id;
    }

    /** @return every accepted name */
    public static List<String> ids() {
        return Arrays.stream(values()).map(Protocol::id).toList();
    }

    /**
     * @param id a protocol name, case-insensitive
     * @return the protocol
     * @throws IllegalArgumentException naming the bad value and the accepted ones
     */
    public static Protocol of(String id) {
        if (id != null) {
            String key = id.trim().toLowerCase(Locale.ROOT);
            for (Protocol p : values()) {
                if (p.id.equals(key)) {
                    return p;
                }
            }
        }
        throw new IllegalArgumentException("protocol must be one of " + ids() + ", got: " + id);
    }
}
