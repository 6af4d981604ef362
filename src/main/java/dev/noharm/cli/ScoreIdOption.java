package dev.noharm.cli;

import dev.noharm.lake.Lake;
import dev.noharm.lake.ScoreChoice;
import picocli.CommandLine.Option;

/** The {@code --score-id} option of commands that read scores: an earlier complete score instead of the latest. */
final class ScoreIdOption {
    @Option(names = "--score-id", paramLabel = "ID",
            description = "Read this score (an id from score_runs) instead of each dataset version's latest complete score.")
    String scoreId;

    ScoreChoice choice() {
        return ScoreChoice.of(scoreId);
    }

    Lake apply(Lake lake) {
        return lake.withScore(choice());
    }
}
