package dev.noharm.cli;

import dev.noharm.lake.Lake;
import dev.noharm.scoring.ImportResponses;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "import", mixinStandardHelpOptions = true,
        description = {
            "Import responses from outside (physicians, other systems) in the JSON Lines format of CONTRACT section 3.",
            "Validated whole: any problem is reported with file, line and field, nothing is written, and the exit code is 3."})
final class ImportCommand extends LakeCommand {

    @Option(names = "--responses", paramLabel = "FILE", required = true, description = "The JSON Lines file (local path or Hadoop URI).")
    String file;

    @Mixin
    DatasetVersionOption datasetVersion;

    @Override
    public Integer call() {
        Lake target = openLake();
        String version = datasetVersion.resolve(target);
        ImportResponses.Result result = new ImportResponses(target).importFile(file, version);
        out().printf(result.alreadyPresent()
                        ? "import %s: already in the lake (%d responses from %d responders): nothing written%n"
                        : "import %s: %d responses from %d responders for dataset version %s%n",
                result.importId(), result.responses(), result.responders(), result.datasetVersion());
        return ExitCode.OK;
    }
}
