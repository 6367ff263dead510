package io.planstream.trainer.rest;

import java.util.Optional;

import io.planstream.trainer.TrainerService;

/** The trainer of this process, where it runs the trainer role: what the application gives the trainer's routes. */
public interface TrainerRuntime {

    /** Empty where this process does not run the trainer role, or has not started it yet. */
    Optional<TrainerService> service();

    /** Why {@link #service()} is empty, in words for an API answer. */
    default String whyNotRunning() {
        return "this process does not run the trainer role (planstream.roles)";
    }
}
