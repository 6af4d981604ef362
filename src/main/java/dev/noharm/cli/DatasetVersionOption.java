package dev.noharm.cli;

import dev.noharm.lake.DatasetVersions;
import dev.noharm.lake.Lake;
import picocli.CommandLine.Option;

/** The {@code --dataset-version} option of commands that read one dataset version. */
final class DatasetVersionOption {
    @Option(names = "--dataset-version", paramLabel = "V", defaultValue = "latest",
            description = "The dataset version. Default: the latest ingested.")
    String value;

    String resolve(Lake lake) {
        return DatasetVersions.resolve(lake, value, "--dataset-version", null);
    }
}
