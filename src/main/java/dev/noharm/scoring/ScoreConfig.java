package dev.noharm.scoring;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import dev.noharm.judging.Jury;

/**
 * Everything that makes one score what it is, beside its inputs: Safety's weights, the case bootstrap, the
 * derived responders (controls, ensembles) by their specs, and whether section 4's metrics are also computed
 * over the perturbation case sets (CONTRACT section 7: {@code Originals}, {@code Perturbation=<kind>}), and the jury
 * that turns free-text plans into decisions (section 6: its rule, and its judges, empty for every judge in the lake).
 * Kept with each score in {@code score_runs.config}, so a plain {@code score} repeats what the previous score of the
 * dataset version computed.
 */
public record ScoreConfig(String weights, int bootstrapReplicates, long bootstrapSeed, List<String> derived, boolean perturbations,
        String juryRule, List<String> judges) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public static final ScoreConfig DEFAULT = new ScoreConfig(HarmWeights.defaults().spec(), 0, 1, List.of(), false,
            Jury.Rule.MAJORITY.wireName(), List.of());

    public ScoreConfig {
        derived = List.copyOf(derived);
        // Scores kept before free-text plans have no jury settings: the defaults.
        juryRule = juryRule == null ? Jury.Rule.MAJORITY.wireName() : juryRule;
        judges = judges == null ? List.of() : List.copyOf(judges);
    }

    /** The jury's rule. */
    public Jury.Rule jury() {
        return Jury.Rule.fromWireName(juryRule).orElseThrow(() -> new IllegalArgumentException("unknown jury rule " + juryRule));
    }

    /**
     * What a command line said; null where it said nothing, so the previous score's setting stands.
     *
     * @param controls the controls' spec, or "" to drop them
     * @param ensembles the ensembles' specs (empty to drop them)
     */
    public record Given(String weights, Integer bootstrapReplicates, Long bootstrapSeed, String controls, List<String> ensembles,
            Boolean perturbations, Jury.Rule juryRule, List<String> judges) {
        public static final Given NOTHING = new Given(null, null, null, null, null, null, null, null);

        /** Saying nothing about the perturbation case sets or the jury. */
        public Given(String weights, Integer bootstrapReplicates, Long bootstrapSeed, String controls, List<String> ensembles) {
            this(weights, bootstrapReplicates, bootstrapSeed, controls, ensembles, null, null, null);
        }

        /** Saying nothing about the jury. */
        public Given(String weights, Integer bootstrapReplicates, Long bootstrapSeed, String controls, List<String> ensembles,
                Boolean perturbations) {
            this(weights, bootstrapReplicates, bootstrapSeed, controls, ensembles, perturbations, null, null);
        }

        /** Only the jury: its rule (null: unchanged) and judges (null: unchanged; empty: every judge in the lake). */
        public static Given jury(Jury.Rule rule, List<String> judges) {
            return new Given(null, null, null, null, null, null, rule, judges);
        }

        public boolean saysNothing() {
            return equals(NOTHING);
        }
    }

    public ScoreConfig withPerturbations(boolean on) {
        return new ScoreConfig(weights, bootstrapReplicates, bootstrapSeed, derived, on, juryRule, judges);
    }

    /** This config with what {@code given} says put over it. */
    public ScoreConfig with(Given given) {
        Predicate<String> isControls = spec -> spec.startsWith(DerivedResponder.CONTROLS);
        List<String> derivedNow = new ArrayList<>();
        if (given.controls() == null) {
            derived.stream().filter(isControls).forEach(derivedNow::add);
        } else if (!given.controls().isEmpty()) {
            derivedNow.add(given.controls());
        }
        if (given.ensembles() == null) {
            derived.stream().filter(isControls.negate()).forEach(derivedNow::add);
        } else {
            derivedNow.addAll(given.ensembles());
        }
        return new ScoreConfig(given.weights() != null ? given.weights() : weights,
                given.bootstrapReplicates() != null ? given.bootstrapReplicates() : bootstrapReplicates,
                given.bootstrapSeed() != null ? given.bootstrapSeed() : bootstrapSeed, derivedNow,
                given.perturbations() != null ? given.perturbations() : perturbations,
                given.juryRule() != null ? given.juryRule().wireName() : juryRule, given.judges() != null ? given.judges() : judges);
    }

    public HarmWeights harmWeights() {
        return HarmWeights.parse(weights);
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static ScoreConfig fromJson(String json) {
        try {
            return JSON.readValue(json, ScoreConfig.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("unreadable score config " + json + ": " + e.getOriginalMessage(), e);
        }
    }

    /** For people: what the score computes beside models, teams and imports. */
    public String describe() {
        List<String> parts = new ArrayList<>(derived);
        if (perturbations) {
            parts.add("perturbation case sets");
        }
        parts.add(bootstrapReplicates > 0 ? "bootstrap " + bootstrapReplicates + " replicates, seed " + bootstrapSeed : "no bootstrap");
        parts.add("weights " + weights);
        parts.add("jury " + juryRule + (judges.isEmpty() ? " of every judge" : " of " + String.join(", ", judges)));
        return String.join("; ", parts);
    }
}
