package dev.noharm.cli;

import dev.noharm.lake.Lake;
import dev.noharm.lake.SparkSessions;
import dev.noharm.scoring.ImportResponses;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "import", mixinStandardHelpOptions = true,
        description = {
            "Import responses from outside (physicians, other systems) in the JSON Lines format of CONTRACT section 3.",
            "Validated whole: any problem is reported with file, line and field, nothing is written, and the exit code is 3."})
final class ImportCommand implements Callable<Integer> {

    @Option(names = "--responses", paramLabel = "FILE", required = true, description = "The JSON Lines file (local path or Hadoop URI).")
    String file;

    @Mixin
    DatasetVersionOption datasetVersion;

    @Mixin
    LakeOption lake;

    @Spec
    CommandSpec command;

    @Override
    public Integer call() {
        Lake target = new Lake(SparkSessions.getOrCreate("noharm import"), lake.uri());
        String version = datasetVersion.resolve(target);
        ImportResponses.Result result = new ImportResponses(target).importFile(file, version);
        command.commandLine().getOut().printf(result.alreadyPresent()
                        ? "import %s: already in the lake (%d responses from %d responders): nothing written%n"
                        : "import %s: %d responses from %d responders for dataset version %s%n",
                result.importId(), result.responses(), result.responders(), result.datasetVersion());
        return ExitCode.OK;
    }
}
