package dev.noharm.simulator;

import dev.noharm.benchmark.BenchmarkOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * How a simulated model writes a free-text management plan (CONTRACT section 6): it decides on the options as
 * its {@link Persona} would, then writes them the way plans come back from real models, so that judging has
 * something to do: a short assessment, the chosen actions as numbered items in varied wording and numbering, now
 * and then a chosen action written as an unnumbered bullet (which does not count: only numbered items are
 * evaluated), a distractor sentence naming an action it does not recommend, and an action the options do not list.
 */
final class PlanWriter {
    /** An action no sample case lists among its options. */
    static final String UNLISTED_ACTION = "Give the patient written information about the condition and a number to call";

    private static final String[] ASSESSMENTS = {
        "Assessment: the findings fit the working diagnosis, and the plan below addresses the main risks.",
        "Assessment: this needs a specialist's plan now; the priorities are safety first, then diagnosis.",
        "Summary: the presentation is consistent with the referral question. My recommendations follow.",
    };

    private static final String[] WORDINGS = {"%s", "%s.", "Recommend: %s", "%s as soon as practical", "I would %s"};

    private PlanWriter() {}

    /** The plan for a case whose options (in option order) the persona graded {@code chosen}. */
    static String write(List<BenchmarkOption> options, boolean[] chosen, SplittableRandom random) {
        StringBuilder plan = new StringBuilder(ASSESSMENTS[random.nextInt(ASSESSMENTS.length)]).append('\n');
        List<Integer> notChosen = new ArrayList<>();
        for (int i = 0; i < chosen.length; i++) {
            if (!chosen[i]) {
                notChosen.add(i);
            }
        }
        if (!notChosen.isEmpty() && random.nextDouble() < 0.5) {
            BenchmarkOption declined = options.get(notChosen.get(random.nextInt(notChosen.size())));
            plan.append("I would not ").append(lowerFirst(declined.text())).append(" at this point.\n");
        }
        plan.append("\nRecommendations:\n");
        boolean parenthesis = random.nextBoolean();
        int n = 0;
        for (int i = 0; i < chosen.length; i++) {
            if (!chosen[i]) {
                continue;
            }
            String action = String.format(Locale.ROOT, WORDINGS[random.nextInt(WORDINGS.length)], lowerFirst(options.get(i).text()));
            if (random.nextDouble() < 0.04) {
                plan.append("- ").append(action).append('\n'); // unnumbered: not evaluated
            } else {
                plan.append(++n).append(parenthesis ? ") " : ". ").append(upperFirst(action)).append('\n');
            }
        }
        if (random.nextDouble() < 0.3) {
            plan.append(++n).append(parenthesis ? ") " : ". ").append(UNLISTED_ACTION).append('\n');
        }
        if (n == 0) {
            plan.append("No further action is needed from the specialist side.\n");
        }
        return plan.toString();
    }

    static String lowerFirst(String s) {
        return s.isEmpty() ? s : Character.toLowerCase(s.charAt(0)) + s.substring(1);
    }

    private static String upperFirst(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
