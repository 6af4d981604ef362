package dev.noharm.benchmark;

/** How the annotators' ratings of an option are combined into one label (CONTRACT section 2). */
public enum GradingMode {
    /** The minimum over the annotators. */
    UNANIMOUS("Unanimous"),
    /** The highest level that more than half of the annotators rated at or above. */
    MAJORITY("Majority");

    private final String displayName;

    GradingMode(String displayName) {
        this.displayName = displayName;
    }

    /** The spelling used in the lake and the leaderboard export's {@code Grading} column. */
    public String displayName() {
        return displayName;
    }

    /** The mode spelled {@code name} ({@code Majority} or {@code Unanimous}, any case): the one parser of grading names. */
    public static java.util.Optional<GradingMode> fromName(String name) {
        return java.util.Arrays.stream(values()).filter(m -> m.displayName.equalsIgnoreCase(name)).findFirst();
    }

    /** The names, for messages: {@code Unanimous, Majority}. */
    public static String names() {
        return String.join(", ", java.util.Arrays.stream(values()).map(GradingMode::displayName).toList());
    }

    /** Aggregates ordinal ratings (each an enum ordinal, lowest first) into one level. */
    public int aggregate(int[] ranks) {
        if (ranks.length == 0) {
            throw new IllegalArgumentException("no ratings to aggregate");
        }
        return switch (this) {
            case UNANIMOUS -> java.util.Arrays.stream(ranks).min().orElseThrow();
            case MAJORITY -> highestLevelHeldByMajority(ranks);
        };
    }

    private static int highestLevelHeldByMajority(int[] ranks) {
        int highest = java.util.Arrays.stream(ranks).max().orElseThrow();
        for (int level = highest; level >= 0; level--) {
            int atOrAbove = 0;
            for (int rank : ranks) {
                if (rank >= level) {
                    atOrAbove++;
                }
            }
            if (2 * atOrAbove > ranks.length) {
                return level;
            }
        }
        // Level 0 is held by every annotator, so the loop always returns.
        throw new IllegalStateException("unreachable");
    }
}
