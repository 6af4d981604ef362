package dev.noharm.scoring;

import java.io.Serializable;
import java.util.Arrays;

/**
 * A response parsed as CONTRACT section 3 says: the options it recommends (graded Appropriate), how many
 * entries were invalid (option outside 1..n, not an object, no readable grade), and whether some option
 * was graded twice with different grades (then it is not recommended). A parse failure recommends nothing.
 */
public record ParsedResponse(boolean parseFailure, int[] recommended, int invalidEntries, boolean conflicting)
        implements Serializable {

    public static ParsedResponse failure() {
        return new ParsedResponse(true, new int[0], 0, false);
    }

    public boolean recommends(int optionNo) {
        return Arrays.binarySearch(recommended, optionNo) >= 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ParsedResponse p && p.parseFailure == parseFailure && Arrays.equals(p.recommended, recommended)
                && p.invalidEntries == invalidEntries && p.conflicting == conflicting;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(recommended) * 31 + invalidEntries + (parseFailure ? 7 : 0) + (conflicting ? 13 : 0);
    }

    @Override
    public String toString() {
        return "ParsedResponse[parseFailure=" + parseFailure + ", recommended=" + Arrays.toString(recommended)
                + ", invalidEntries=" + invalidEntries + ", conflicting=" + conflicting + "]";
    }
}
