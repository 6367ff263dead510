package io.planstream.app.cli;

import picocli.CommandLine.Option;

/**
 * {@code --data SOURCE}, required: the images a command reads, in the forms {@code DataSources} and
 * {@code RplanFolder} know. What a command needs of them (labels, a test split) differs, so the
 * description comes from {@code Options.properties}.
 */
final class DataSourceOption {

    @Option(names = "--data", required = true, paramLabel = "SOURCE", descriptionKey = "data",
            description = "The images, see above.")
    String data;

    String value() {
        return data;
    }
}
