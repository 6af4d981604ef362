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

    @Option(names = "--variants", defaultValue = "0", paramLabel = "K",
            description = "Perturbed copies per case (CONTRACT section 7), kinds in turn: sex, age, lab_values (its own ratings), race, "
                    + "context. Default: ${DEFAULT-VALUE}.")
    int variants;

    @Mixin
    LakeOption lake; // accepted for uniformity; this command does not touch the lake

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        new SyntheticBenchmark(cases, options, annotators, seed, variants).writeTo(out);
        spec.commandLine().getOut().printf("wrote a synthetic benchmark of %d cases%s x %d options x %d annotators (seed %d) to %s%n",
                cases, variants == 0 ? "" : " and " + cases * variants + " perturbed copies", options, annotators, seed, out.toAbsolutePath());
        return ExitCode.OK;
    }
}
