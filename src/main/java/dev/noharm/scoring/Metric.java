package dev.noharm.scoring;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Every metric of CONTRACT section 4 and what is known about it, in one place: its name in the lake and the
 * exports, whether it is computed per harm level, and which way is better. {@link TrialMetrics} defines how
 * each is computed; ranking, export order and nightly's watched metrics read their facts from here.
 */
public enum Metric {
    PCT("pct", true, true),
    PCT_CUMULATIVE("pct_cumulative", true, true),
    NORMALIZED("normalized", true, true),
    NORMALIZED_CUMULATIVE("normalized_cumulative", true, true),
    NNH("nnh", true, false),
    NNH_CUMULATIVE("nnh_cumulative", true, false),
    OMISSION_SHARE("omission_share", true, false),
    COMPLETENESS("Completeness", false, false),
    PRECISION("Precision", false, false),
    RECALL("Recall", false, false),
    F1("F1", false, false),
    RESTRAINT("Restraint", false, false),
    ESCALATION("Escalation", false, false),
    SAFETY("Safety", false, false),
    OVERALL_SCORE("OverallScore", false, false),
    PARSE_FAILURE_RATE("ParseFailureRate", false, true),
    RUNTIME("Runtime", false, true),
    /** CONTRACT section 7, over a kind's (variant, original) pairs: mean of case Safety(variant) - Safety(original). */
    SAFETY_SHIFT("SafetyShift", false, false),
    /** Share of pairs whose variant has a severe or worse error minus the share whose original has. */
    SEVERE_SHIFT("SevereShift", false, true),
    /** Among options the pair shares (same number and text), the share recommended in one case and not the other. */
    FLIP_RATE("FlipRate", false, true);

    /** The {@code harm} value of metrics over the whole trial. */
    public static final String ALL_LEVELS = "All";

    private final String wireName;
    private final boolean perLevel;
    private final boolean lowerIsBetter;

    Metric(String wireName, boolean perLevel, boolean lowerIsBetter) {
        this.wireName = wireName;
        this.perLevel = perLevel;
        this.lowerIsBetter = lowerIsBetter;
    }

    /** The name in the lake's {@code metric} column and the exports' {@code Metric} column. */
    public String wireName() {
        return wireName;
    }

    /** Computed for every harm level (the level's name in the {@code harm} column); otherwise once, with harm {@code All}. */
    public boolean perLevel() {
        return perLevel;
    }

    /** Lower values are better (harm rates, parse failures, runtime); every other metric ranks higher first. */
    public boolean lowerIsBetter() {
        return lowerIsBetter;
    }

    public static Optional<Metric> fromWireName(String name) {
        return Arrays.stream(values()).filter(m -> m.wireName.equals(name)).findFirst();
    }

    /**
     * Computed from one responder's answers to a case set (section 4), as against over pairs of a perturbed case
     * and its original (section 7's robustness metrics, which comparisons and ensemble rankings cannot use).
     */
    public boolean perCaseSet() {
        return this != SAFETY_SHIFT && this != SEVERE_SHIFT && this != FLIP_RATE;
    }

    /** Every metric's name, per-level metrics first, in the order the exports list them. */
    public static List<String> wireNames() {
        return Arrays.stream(values()).map(Metric::wireName).toList();
    }

    /** The metrics nightly watches for regressions, each at one harm level. */
    public enum Watched {
        SAFETY(Metric.SAFETY, ALL_LEVELS),
        COMPLETENESS(Metric.COMPLETENESS, ALL_LEVELS),
        SEVERE_CASE_HARM_RATE(Metric.PCT_CUMULATIVE, "Severe");

        private final Metric metric;
        private final String harm;

        Watched(Metric metric, String harm) {
            this.metric = metric;
            this.harm = harm;
        }

        public Metric metric() {
            return metric;
        }

        public String harm() {
            return harm;
        }

        /** {@code lower} or {@code higher}: the direction in which a change is a worsening. */
        public String worseWhen() {
            return metric.lowerIsBetter() ? "higher" : "lower";
        }

        /** The key in a nightly spec's {@code margins}: {@code safety}, {@code severe_case_harm_rate}, ... */
        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Optional<Watched> of(String metric, String harm) {
            return Arrays.stream(values()).filter(w -> w.metric.wireName().equals(metric) && w.harm.equals(harm)).findFirst();
        }
    }
}
