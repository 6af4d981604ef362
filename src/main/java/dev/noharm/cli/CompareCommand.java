package dev.noharm.cli;

import dev.noharm.lake.Lake;
import dev.noharm.scoring.Comparison;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "compare", mixinStandardHelpOptions = true,
        description = {
            "Paired difference (B minus A) of every metric between two scored responders on the cases both answered,",
            "with a seeded case-bootstrap 95% interval. Name a responder as id, id@version or id:condition."})
final class CompareCommand extends LakeCommand {

    @Option(names = "--a", paramLabel = "RESPONDER", required = true, description = "The reference, e.g. physicians or the old model version.")
    String a;

    @Option(names = "--b", paramLabel = "RESPONDER", required = true, description = "The responder compared with it.")
    String b;

    @Option(names = "--metric", paramLabel = "NAME", converter = MetricNameConverter.class, description = "Only these metrics (repeatable). Default: all.")
    List<String> metrics;

    @Option(names = "--replicates", defaultValue = "1000", description = "Bootstrap replicates. Default: ${DEFAULT-VALUE}.")
    int replicates;

    @Option(names = "--seed", defaultValue = "1", description = "Bootstrap seed. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Mixin
    DatasetVersionOption datasetVersion;

    @Mixin
    ScoreIdOption score;

    @Override
    public Integer call() {
        Lake target = score.apply(openExistingLake());
        String version = datasetVersion.resolve(target);
        List<Comparison.Difference> differences;
        try {
            differences = new Comparison(target).compare(version, Comparison.Responder.parse(a), Comparison.Responder.parse(b), replicates, seed);
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(command.commandLine(), e.getMessage());
        }
        PrintWriter out = out();
        out.printf(Locale.ROOT, "compare: B = %s minus A = %s, dataset %s, %d replicates (seed %d)%n", b, a, version, replicates, seed);
        out.printf(Locale.ROOT, "%-10s %-22s %-10s %10s %10s %10s %22s %6s%n", "grading", "metric", "harm", "A", "B", "B - A", "95% bootstrap", "cases");
        for (Comparison.Difference d : differences) {
            if (metrics != null && !metrics.contains(d.metric())) {
                continue;
            }
            out.printf(Locale.ROOT, "%-10s %-22s %-10s %10.4f %10.4f %10.4f  [%8.4f, %8.4f] %6d%n", d.grading(), d.metric(), d.harm(),
                    d.a(), d.b(), d.difference(), d.low(), d.high(), d.cases());
        }
        return ExitCode.OK;
    }
}
