package dev.noharm.simulator;

import dev.noharm.benchmark.OptionLabel;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * How a simulated model grades. Personas consult the benchmark's Majority labels plus noise, so the
 * metrics of simulated models spread the way real ones do. The model name's first word picks the
 * persona: {@code careful-v2} is careful.
 */
public enum Persona {
    /** Follows the specialists, with a little noise, mostly on uncertain options. */
    CAREFUL,
    /** Like careful, but leaves out needed actions: highly appropriate options and referrals. */
    OMITTER,
    /** Like careful, but also recommends uncertain and some inappropriate options. */
    OVERTREATER,
    /** A fair coin per option; ignores the labels. */
    RANDOM,
    /**
     * A judge of free-text plans ({@link PlanJudge}): maps a plan's numbered items back onto the options, wrong on an
     * option now and then. Asked anything else, it answers as careful does.
     */
    JUDGE;

    public static Optional<Persona> forModel(String modelName) {
        String first = modelName.split("[-:_/.]", 2)[0].toUpperCase(java.util.Locale.ROOT);
        return Arrays.stream(values()).filter(p -> p.name().equals(first)).findFirst();
    }

    /** Appropriate (true) or not, per option, in option order. Unknown cases are graded at random. */
    public boolean[] grade(List<OptionLabel> labels, int optionCount, SplittableRandom random) {
        boolean[] grades = new boolean[optionCount];
        for (int i = 0; i < optionCount; i++) {
            OptionLabel label = labels == null || i >= labels.size() ? null : labels.get(i);
            grades[i] = label == null || this == RANDOM ? random.nextBoolean() : decide(label, random);
        }
        return grades;
    }

    private boolean decide(OptionLabel label, SplittableRandom random) {
        boolean followLabel = label.appropriate();
        double flip = label.uncertain() ? 0.25 : 0.03;
        boolean careful = random.nextDouble() < flip ? !followLabel : followLabel;
        return switch (this) {
            case CAREFUL, JUDGE -> careful;
            case OMITTER -> careful && !(label.highlyAppropriate() && random.nextDouble() < 0.35)
                    && !(label.escalation() && random.nextDouble() < 0.6);
            case OVERTREATER -> careful || label.uncertain()
                    || (!label.appropriate() && random.nextDouble() < 0.3);
            case RANDOM -> random.nextBoolean();
        };
    }
}
