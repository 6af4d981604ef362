package dev.noharm.cli;

import picocli.CommandLine.Option;

/** The {@code --lake} option every command takes. */
public final class LakeOption {
    @Option(names = "--lake", paramLabel = "URI", defaultValue = "./lake",
            description = "Root of the data lake: a local path or any Hadoop URI (file:, s3a:). Default: ${DEFAULT-VALUE}.")
    String uri;

    public String uri() {
        return uri;
    }
}
