package dev.noharm.judging;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What may be wrong with a free-text plan on its face: the leaderboard's protocol asks for a plan of at least 50
 * characters, and CONTRACT section 6 evaluates only its numbered recommendations. A flagged plan is stored, judged and scored like any other; the flag goes with its scored response
 * ({@code scored_responses.plan_flag}) so that a user sees why a plan recommended little.
 */
public final class PlanFlags {
    /** Shorter than the leaderboard's minimum plan. */
    public static final String SHORT = "short";
    /** No numbered recommendation: judges that follow section 6 find nothing to count. */
    public static final String UNNUMBERED = "unnumbered";
    public static final int MIN_PLAN_CHARS = 50;

    private static final Pattern NUMBERED_ITEM = Pattern.compile("(?m)^\\s*\\d+[.):]\\s+\\S");

    private PlanFlags() {}

    public static Optional<String> flag(String plan) {
        if (plan == null || plan.strip().length() < MIN_PLAN_CHARS) {
            return Optional.of(SHORT);
        }
        return NUMBERED_ITEM.matcher(plan).find() ? Optional.empty() : Optional.of(UNNUMBERED);
    }
}
