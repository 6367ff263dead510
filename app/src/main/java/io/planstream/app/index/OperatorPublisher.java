package io.planstream.app.index;

import java.io.IOException;
import java.util.concurrent.locks.ReentrantLock;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.planstream.models.ModelPublisher;
import io.planstream.platform.KafkaPlatform;

/**
 * Publishing under the operator's transactional id ({@link ModelResource#OPERATOR_TRANSACTIONAL_ID}), one
 * operation at a time in this process: a second publisher with the same id fences the first, so a pin
 * arriving while an import is being published would otherwise make the import fail.
 */
@ApplicationScoped
public class OperatorPublisher {

    /** What is done with the publisher; it may read the models topic first and decide. */
    @FunctionalInterface
    public interface Work<T> {
        T run(ModelPublisher publisher) throws IOException;
    }

    private final ReentrantLock lock = new ReentrantLock();

    @Inject
    KafkaPlatform platform;

    /** Runs {@code work} with a fresh publisher, after any operation in progress has ended. */
    public <T> T run(Work<T> work) throws IOException {
        lock.lock();
        try (ModelPublisher publisher = new ModelPublisher(platform, ModelResource.OPERATOR_TRANSACTIONAL_ID)) {
            return work.run(publisher);
        } finally {
            lock.unlock();
        }
    }
}
