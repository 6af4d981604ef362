package dev.noharm.cli;

import dev.noharm.benchmark.SyntheticBenchmark;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "synthesize", mixinStandardHelpOptions = true,
        description = "Write a seeded synthetic benchmark of any size (for scale tests and benchmarks) to a folder.")
final class SynthesizeCommand implements Callable<Integer> {

    @Option(names = "--out", paramLabel = "DIR", required = true, description = "Folder to write the three files into.")
    Path out;

    @Option(names = "--cases", defaultValue = "100", description = "Number of cases. Default: ${DEFAULT-VALUE}.")
    int cases;

    @Option(names = "--options", defaultValue = "42", description = "Options per case. Default: ${DEFAULT-VALUE}.")
    int options;

    @Option(names = "--annotators", defaultValue = "3", description = "Annotators per option. Default: ${DEFAULT-VALUE}.")
    int annotators;

    @Option(names = "--seed", defaultValue = "1", description = "Random seed. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Mixin
    LakeOption lake; // accepted for uniformity; this command does not touch the lake

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        new SyntheticBenchmark(cases, options, annotators, seed).writeTo(out);
        spec.commandLine().getOut().printf("wrote a synthetic benchmark of %d cases x %d options x %d annotators (seed %d) to %s%n",
                cases, options, annotators, seed, out.toAbsolutePath());
        return ExitCode.OK;
    }
}
