package dev.noharm.benchmark;

import java.util.Arrays;
import java.util.Optional;

/** The annotators' appropriateness scale, lowest first (CONTRACT section 2). */
public enum Appropriateness {
    HIGHLY_INAPPROPRIATE("highly_inappropriate"),
    INAPPROPRIATE("inappropriate"),
    UNCERTAIN("uncertain"),
    APPROPRIATE("appropriate"),
    HIGHLY_APPROPRIATE("highly_appropriate");

    private final String wireName;

    Appropriateness(String wireName) {
        this.wireName = wireName;
    }

    /** The spelling used in the input files and the lake. */
    public String wireName() {
        return wireName;
    }

    public static Optional<Appropriateness> fromWireName(String name) {
        return Arrays.stream(values()).filter(a -> a.wireName.equals(name)).findFirst();
    }

    public static String allowedValues() {
        return String.join(", ", Arrays.stream(values()).map(Appropriateness::wireName).toList());
    }
}
