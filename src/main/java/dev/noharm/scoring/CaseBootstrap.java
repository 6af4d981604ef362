package dev.noharm.scoring;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Case bootstrap: each replicate draws the case set with replacement (seeded), and every metric is
 * recomputed by {@link TrialMetrics} with each case weighted by how often it was drawn, then averaged
 * over trials like the point estimate ({@link ResponderMetrics}). The same draws serve every responder,
 * so differences are paired.
 */
final class CaseBootstrap {
    private CaseBootstrap() {}

    /**
     * One replicate's draws: how often each case was drawn, by the case's position in {@code index} (shared by every
     * draw of one bootstrap; an array field, so {@code equals} compares identity).
     */
    record Draw(Map<String, Integer> index, int[] counts) {}

    /** The cases as answered: each once. */
    static Draw original(List<String> caseIds) {
        int[] once = new int[caseIds.size()];
        Arrays.fill(once, 1);
        return new Draw(index(caseIds), once);
    }

    /** Replicates 1 to {@code replicates}, each {@code caseIds.size()} draws with replacement, from a generator seeded with {@code seed}. */
    static List<Draw> draws(List<String> caseIds, int replicates, long seed) {
        Map<String, Integer> index = index(caseIds);
        SplittableRandom random = new SplittableRandom(seed);
        List<Draw> out = new ArrayList<>(replicates);
        for (int b = 1; b <= replicates; b++) {
            int[] drawn = new int[caseIds.size()];
            for (int i = 0; i < caseIds.size(); i++) {
                drawn[random.nextInt(caseIds.size())]++;
            }
            out.add(new Draw(index, drawn));
        }
        return out;
    }

    private static Map<String, Integer> index(List<String> caseIds) {
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < caseIds.size(); i++) {
            index.put(caseIds.get(i), i);
        }
        return index;
    }
}
