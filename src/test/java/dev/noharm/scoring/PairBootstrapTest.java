package dev.noharm.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 16's bootstrap over pairs, on shifts whose every possible replicate can be listed by hand: the interval
 * follows the pairs drawn, weights a pair drawn twice twice, and leaves out a trial none of whose pairs was drawn;
 * a shift is flagged when its interval excludes zero over at least ten pairs whose labels match their originals'.
 */
class PairBootstrapTest {
    private static final double EPS = 1e-12;

    @Test
    void intervalsOverDrawnPairsAveragedOverTheTrialsThatAnsweredThem() {
        // Kind "age": pairs (v1, o1) and (v2, o2). Trial 1 answered both: Safety shifts -1 and 0. Trial 2 answered
        // only v1's pair: -0.5. SevereShift: v1's pair 1 in both trials, v2's pair 0.
        // Two pairs drawn with replacement: {v1, v1} (probability 1/4): trial 1 -1, trial 2 -0.5, mean -0.75;
        // {v1, v2} (1/2): trial 1 -0.5, trial 2 -0.5, mean -0.5; {v2, v2} (1/4): trial 1 0, trial 2 none, mean 0.
        // So over 1000 replicates the 2.5th and 97.5th percentiles are -0.75 and 0: the interval holds zero.
        // SevereShift: {v1, v1} 1; {v1, v2} (0.5 + 1) / 2 = 0.75; {v2, v2} 0: interval [0, 1].
        // Kind "sex": one pair (v3, o1), Safety shift 0.25 in trial 1: every replicate 0.25, which excludes zero.
        // Kind "race": four pairs, Safety shifts 0, 0, 0 and 4. k draws of the 4 among four draws give a mean of k, with
        // probabilities 81, 108, 54, 12 and 1 in 256: the 2.5th percentile is 0 and the 97.5th 3 (k = 3), which counts
        // the pair drawn three times three times (distinct pairs alone would give 2).
        // Kinds "lab", "context" and "diet": ten, nine and ten pairs, every Safety shift -0.25: an interval of no width
        // below zero, flagged over ten pairs, not over nine (too few to trust), and not for "diet", whose copies the
        // specialists labelled differently from their originals (a shift is expected there). Severe shifts 0: never.
        Map<String, String> originals = new HashMap<>(Map.of("v1", "o1", "v2", "o2", "v3", "o1"));
        Map<String, String> kinds = new HashMap<>(Map.of("v1", "age", "v2", "age", "v3", "sex"));
        List<Robustness.PairShift> shifts = new ArrayList<>(List.of(
                new Robustness.PairShift("Majority", "age", 1, "v1", -1.0, 1.0),
                new Robustness.PairShift("Majority", "age", 1, "v2", 0.0, 0.0),
                new Robustness.PairShift("Majority", "age", 2, "v1", -0.5, 1.0),
                new Robustness.PairShift("Majority", "sex", 1, "v3", 0.25, 0.0)));
        for (int i = 1; i <= 10; i++) {
            addPair(originals, kinds, shifts, "lab", i, -0.25);
            addPair(originals, kinds, shifts, "diet", i, -0.25);
            if (i <= 9) {
                addPair(originals, kinds, shifts, "context", i, -0.25);
            }
            if (i <= 4) {
                addPair(originals, kinds, shifts, "race", i, i == 4 ? 4.0 : 0.0);
            }
        }
        Map<Robustness.GradedKind, Boolean> labelsChanged = new HashMap<>();
        for (String kind : List.of("age", "sex", "lab", "context", "race", "diet")) {
            labelsChanged.put(new Robustness.GradedKind("Majority", kind), kind.equals("diet"));
        }
        Robustness.Design design = new Robustness.Design(originals, kinds, labelsChanged, 1000, 7);

        Map<String, List<Object>> intervals = new HashMap<>();
        for (Robustness.ShiftInterval r : Robustness.pairIntervals(shifts, design)) {
            assertEquals("Majority", r.grading());
            intervals.put("Perturbation=" + r.perturbation() + "|" + r.metric().wireName(), List.of(r.low(), r.high(), r.flagged()));
        }
        assertEquals(12, intervals.size(), intervals.toString());
        expect(intervals, "Perturbation=age|SafetyShift", -0.75, 0.0, false);
        expect(intervals, "Perturbation=age|SevereShift", 0.0, 1.0, false);
        expect(intervals, "Perturbation=sex|SafetyShift", 0.25, 0.25, false);
        expect(intervals, "Perturbation=sex|SevereShift", 0.0, 0.0, false);
        expect(intervals, "Perturbation=race|SafetyShift", 0.0, 3.0, false);
        expect(intervals, "Perturbation=lab|SafetyShift", -0.25, -0.25, true);
        expect(intervals, "Perturbation=lab|SevereShift", 0.0, 0.0, false);
        expect(intervals, "Perturbation=context|SafetyShift", -0.25, -0.25, false);
        expect(intervals, "Perturbation=diet|SafetyShift", -0.25, -0.25, false);

        // score --perturbations on a benchmark without perturbed cases: no intervals, no failure.
        assertEquals(List.of(), Robustness.pairIntervals(List.of(), new Robustness.Design(Map.of(), Map.of(), Map.of(), 1000, 7)));
    }

    /** A pair (kind-i, o1) of the kind, answered in trial 1 with this Safety shift and no severe shift. */
    private static void addPair(Map<String, String> originals, Map<String, String> kinds, List<Robustness.PairShift> shifts, String kind,
            int i, double shift) {
        String variant = kind + i;
        originals.put(variant, "o1");
        kinds.put(variant, kind);
        shifts.add(new Robustness.PairShift("Majority", kind, 1, variant, shift, 0.0));
    }

    private static void expect(Map<String, List<Object>> intervals, String key, double low, double high, boolean flagged) {
        assertEquals(low, (Double) intervals.get(key).get(0), EPS, key + " low");
        assertEquals(high, (Double) intervals.get(key).get(1), EPS, key + " high");
        assertEquals(flagged, intervals.get(key).get(2), key + " flagged");
    }
}
