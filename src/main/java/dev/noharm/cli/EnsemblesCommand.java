package dev.noharm.cli;

import dev.noharm.benchmark.GradingMode;
import dev.noharm.benchmark.Harm;
import dev.noharm.lake.Lake;
import dev.noharm.scoring.Metric;
import dev.noharm.teams.EnsembleSearchJob;
import dev.noharm.teams.Ensembles;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

@Command(name = "ensembles", mixinStandardHelpOptions = true,
        description = {"Score every k-subset (k = 2..K) of the scored solo models as a post-hoc ensemble, without new calls,",
            "in one Spark job, and rank the subsets by one metric. Results go to the ensemble_search table. Run score first."})
final class EnsemblesCommand extends LakeCommand {

    @Option(names = "--models", split = ",", paramLabel = "ID", description = "The models (id or id@version). Default: every scored solo model.")
    List<String> models = new ArrayList<>();

    @Option(names = "--run", paramLabel = "RUN", description = "Only the models a run generated.")
    String run;

    @Option(names = "--max-k", defaultValue = "3", description = "Largest subset. Default: ${DEFAULT-VALUE}.")
    int maxK;

    @Option(names = "--rule", defaultValue = "majority", description = "union, intersection or majority. Default: ${DEFAULT-VALUE}.")
    String rule;

    @Option(names = "--metric", defaultValue = "Safety", converter = MetricNameConverter.class, description = "Metric to rank by (CONTRACT section 4's names). Default: ${DEFAULT-VALUE}.")
    String metric;

    @Option(names = "--harm", defaultValue = "All", description = "Harm level, for per-level metrics (e.g. Severe). Default: ${DEFAULT-VALUE}.")
    String harm;

    @Option(names = "--grading", defaultValue = "Majority", converter = GradingModeConverter.class,
            description = "Majority or Unanimous. Default: ${DEFAULT-VALUE}.")
    GradingMode grading;

    @Option(names = "--top", defaultValue = "10", description = "How many to print. Default: ${DEFAULT-VALUE}.")
    int top;

    @Mixin
    DatasetVersionOption datasetVersion;

    @Override
    public Integer call() {
        Ensembles.Rule parsedRule;
        try {
            parsedRule = Ensembles.Rule.valueOf(rule.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(command.commandLine(), "--rule must be union, intersection or majority, not '" + rule + "'");
        }
        Metric ranked = Metric.fromWireName(metric).orElseThrow();
        List<String> levels = Arrays.stream(Harm.values()).map(Harm::displayName).toList();
        boolean harmFits = harm.equals(Metric.ALL_LEVELS) || (ranked.perLevel() && levels.contains(harm));
        if (!harmFits) {
            throw new ParameterException(command.commandLine(), ranked.perLevel()
                    ? "--harm must be one of " + String.join(", ", levels) + " or " + Metric.ALL_LEVELS + " for " + metric + ", not '" + harm + "'"
                    : metric + " is not computed per harm level: leave out --harm (it is " + Metric.ALL_LEVELS + "), not '" + harm + "'");
        }
        if (maxK < 2) {
            throw new ParameterException(command.commandLine(), "--max-k must be at least 2");
        }
        Lake target = openExistingLake();
        try {
            new EnsembleSearchJob(target, out()).run(new EnsembleSearchJob.Request(
                    datasetVersion.resolve(target), models, run, maxK, parsedRule, metric, harm, grading.displayName(), top));
        } catch (EnsembleSearchJob.UnknownMember e) {
            throw new ParameterException(command.commandLine(), e.getMessage());
        }
        return ExitCode.OK;
    }
}
