package io.planstream.app.cli;

import picocli.CommandLine.Option;

/** {@code --device}: where the encoder runs, as {@code Devices.choose} reads it. */
final class DeviceOption {

    @Option(names = "--device", defaultValue = "auto", description = "auto, cpu or gpu (default ${DEFAULT-VALUE}).")
    String device;

    String value() {
        return device;
    }
}
