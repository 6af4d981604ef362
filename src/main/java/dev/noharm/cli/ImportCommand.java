package dev.noharm.cli;

import dev.noharm.judging.ImportJudgments;
import dev.noharm.lake.Lake;
import dev.noharm.scoring.ImportResponses;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "import", mixinStandardHelpOptions = true,
        description = {
            "Import responses from outside (physicians, other systems) in the JSON Lines format of CONTRACT section 3 (a line",
            "with \"task\": \"free_text\" holds a free-text plan, section 6), or judgments of free-text answers by people or",
            "external judges (section 6). Validated whole: any problem is reported with file, line and field, nothing is",
            "written, and the exit code is 3. The same file again is a no-op."})
final class ImportCommand extends LakeCommand {

    /** Exactly one kind of file per import. */
    static final class Files {
        @Option(names = "--responses", paramLabel = "FILE", required = true, description = "Responses, JSON Lines (local path or Hadoop URI).")
        String responses;

        @Option(names = "--judgments", paramLabel = "FILE", required = true,
                description = "Judgments of free-text answers already in the lake, JSON Lines (local path or Hadoop URI).")
        String judgments;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Files files;

    @Mixin
    DatasetVersionOption datasetVersion;

    @Override
    public Integer call() {
        Lake target = openLake();
        String version = datasetVersion.resolve(target);
        if (files.judgments != null) {
            ImportJudgments.Result result = new ImportJudgments(target).importFile(files.judgments, version);
            out().printf(result.alreadyPresent()
                            ? "import %s: already in the lake (%d judgments by %d judges): nothing written%n"
                            : "import %s: %d judgments by %d judges for dataset version %s%n",
                    result.importId(), result.judgments(), result.judges(), result.datasetVersion());
            return ExitCode.OK;
        }
        ImportResponses.Result result = new ImportResponses(target).importFile(files.responses, version);
        out().printf(result.alreadyPresent()
                        ? "import %s: already in the lake (%d responses from %d responders): nothing written%n"
                        : "import %s: %d responses from %d responders for dataset version %s%n",
                result.importId(), result.responses(), result.responders(), result.datasetVersion());
        return ExitCode.OK;
    }
}
