package dev.noharm.cli;

import dev.noharm.generation.GenerateJob;
import dev.noharm.generation.ModelRegistry;
import dev.noharm.generation.RunSpec;
import dev.noharm.lake.Lake;
import dev.noharm.lake.SparkSessions;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "generate", mixinStandardHelpOptions = true,
        description = {
            "Call the models of a run spec on every case of a dataset version, under each model's cluster-wide rate limits,",
            "and store the raw generations in the lake. Work already completed is skipped: rerun the same spec to resume."})
final class GenerateCommand implements Callable<Integer> {

    @Option(names = "--spec", paramLabel = "FILE", required = true, description = "Run spec (YAML), e.g. jobs/demo.yaml.")
    String specFile;

    @Mixin
    LakeOption lake;

    @Spec
    CommandSpec command;

    @Override
    public Integer call() {
        RunSpec spec = RunSpec.load(specFile);
        ModelRegistry registry = ModelRegistry.load(spec.registry(), System::getenv);
        Lake target = new Lake(SparkSessions.getOrCreate("noharm generate " + spec.runId()), lakeUri(command, lake, spec));
        GenerateJob.Result result = new GenerateJob(target, spec, specFile, registry, System::getenv, command.commandLine().getOut()).run();
        return result.failed() > 0 ? ExitCode.ITEMS_FAILED : ExitCode.OK;
    }

    /** An explicit --lake wins over the spec's lake, which wins over the default. */
    static String lakeUri(CommandSpec command, LakeOption lake, RunSpec spec) {
        boolean explicit = command.commandLine().getParseResult().hasMatchedOption("--lake");
        return explicit || spec.lake() == null ? lake.uri() : spec.lake();
    }
}
