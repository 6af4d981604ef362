package dev.noharm.cli;

import dev.noharm.lake.DatasetVersions;
import dev.noharm.lake.Lake;
import dev.noharm.lake.SparkSessions;
import dev.noharm.scoring.DerivedResponder;
import dev.noharm.scoring.HarmWeights;
import dev.noharm.teams.Controls;
import dev.noharm.teams.Ensembles;
import dev.noharm.scoring.ScoreJob;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "score", mixinStandardHelpOptions = true,
        description = {
            "Score every response in the lake (model generations and imports): parse, join with the option labels of",
            "both grading modes, and compute every NOHARM metric per case, per trial and across trials, overall and",
            "per specialty. Safety uses the project's own weighting (the official formula is not public)."})
final class ScoreCommand implements Callable<Integer> {

    @Option(names = "--dataset-version", paramLabel = "V",
            description = "Score only this dataset version (repeatable). Default: every version with responses.")
    List<String> versions = new ArrayList<>();

    @Option(names = "--weights", paramLabel = "LEVEL=W,...", description = "Safety's harm weights. Default: none=0,uncertain=0,mild=1,moderate=2,severe=3,death=3.")
    String weights;

    @Option(names = "--bootstrap", paramLabel = "N", defaultValue = "0",
            description = "Also compute a case-bootstrap 95% interval per metric (over all cases) with N replicates. Default: off.")
    int bootstrap;

    @Option(names = "--seed", defaultValue = "1", description = "Bootstrap seed. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--controls", description = "Also score the two controls, computed without calls: No Intervention and Random Intervention.")
    boolean controls;

    @Option(names = "--control-trials", paramLabel = "N", defaultValue = "5", description = "Trials of Random Intervention. Default: ${DEFAULT-VALUE}.")
    int controlTrials;

    @Option(names = "--control-seed", paramLabel = "S", defaultValue = "1", description = "Seed of Random Intervention's draws. Default: ${DEFAULT-VALUE}.")
    long controlSeed;

    @Option(names = "--ensemble", paramLabel = "NAME=RULE:M1,M2,...",
            description = "Also score a post-hoc ensemble of stored responders (repeatable): RULE is union, intersection or majority.")
    List<String> ensembles = new ArrayList<>();

    @Mixin
    LakeOption lake;

    @Spec
    CommandSpec command;

    @Override
    public Integer call() {
        HarmWeights harmWeights;
        try {
            harmWeights = weights == null ? HarmWeights.defaults() : HarmWeights.parse(weights);
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(command.commandLine(), e.getMessage());
        }
        Lake target = new Lake(SparkSessions.getOrCreate("noharm score"), lake.uri());
        List<String> resolved = versions.stream().map(v -> DatasetVersions.resolve(target, v, "--dataset-version", null)).toList();
        new ScoreJob(target, harmWeights, command.commandLine().getOut(), bootstrap, seed)
                .withDerivedResponders(derivedResponders(controls, controlTrials, controlSeed, ensembles))
                .run(resolved);
        return ExitCode.OK;
    }

    /** Controls and ensembles as asked for on the command line (the demo asks for them too). */
    static List<DerivedResponder> derivedResponders(boolean controls, int controlTrials, long controlSeed, List<String> ensembles) {
        List<DerivedResponder> derived = new ArrayList<>();
        if (controls) {
            derived.add(new Controls(controlTrials, controlSeed));
        }
        ensembles.forEach(e -> derived.add(Ensembles.Ensemble.parse(e)));
        return derived;
    }
}
