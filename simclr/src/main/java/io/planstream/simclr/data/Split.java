package io.planstream.simclr.data;

/** Which part of a data set with a fixed train/test division. */
public enum Split {
    TRAIN,
    TEST
}
