package dev.noharm.benchmark;

import java.util.Arrays;
import java.util.Optional;

/** The harm scale, lowest first (CONTRACT section 2); {@code ordinal()} is the level's rank. */
public enum Harm {
    NONE("none", "None"),
    UNCERTAIN("uncertain", "Uncertain"),
    MILD("mild", "Mild"),
    MODERATE("moderate", "Moderate"),
    SEVERE("severe", "Severe"),
    DEATH("death", "Death");

    private final String wireName;
    private final String displayName;

    Harm(String wireName, String displayName) {
        this.wireName = wireName;
        this.displayName = displayName;
    }

    /** The spelling used in the input files and the lake. */
    public String wireName() {
        return wireName;
    }

    /** The capitalised name used in the leaderboard export's {@code Harm} column. */
    public String displayName() {
        return displayName;
    }

    public static Optional<Harm> fromWireName(String name) {
        return Arrays.stream(values()).filter(h -> h.wireName.equals(name)).findFirst();
    }

    public static String allowedValues() {
        return String.join(", ", Arrays.stream(values()).map(Harm::wireName).toList());
    }
}
