package io.planstream.trainer.rest;

import java.util.Optional;

import io.planstream.trainer.TrainerService;

/** The trainer of this process, where it runs the trainer role: what the application gives the trainer's routes. */
public interface TrainerRuntime {

    /** Empty where this process does not run the trainer role. */
    Optional<TrainerService> service();
}
