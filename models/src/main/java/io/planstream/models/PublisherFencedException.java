package io.planstream.models;

/**
 * A {@link ModelPublisher} was fenced: another publisher with the same transactional id started after
 * it, and Kafka now refuses this one's transactions. Its open transaction, if any, is aborted and it
 * publishes nothing more; close it. Unchecked because nothing the caller does can make this publisher
 * usable again: only a new publisher, which would in turn fence the other one, can publish.
 */
public class PublisherFencedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public PublisherFencedException(String transactionalId, Throwable cause) {
        super("model publisher with transactional id '" + transactionalId + "' was fenced: another publisher with"
                + " the same transactional id took over, and this one publishes nothing more", cause);
    }
}
