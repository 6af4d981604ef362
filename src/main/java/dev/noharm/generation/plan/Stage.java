package dev.noharm.generation.plan;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One stage of a run: its items, the chain slots its items fill (the keys the next review stage builds on)
 * and the slots it could not plan because the answer they review is missing.
 *
 * @param number 1 for the answer stage; 2 and 3 for team review stages; the judging stage comes after all of them
 */
public record Stage(Kind kind, int number, List<WorkItem> items, Map<ChainSlot, String> chainKeys, List<ChainSlot> blocked) {
    public enum Kind { ANSWERS, REVIEWS, JUDGMENTS }

    public Stage {
        items = List.copyOf(items);
        chainKeys = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(chainKeys));
        blocked = List.copyOf(blocked);
    }

    /** How progress lines and dry runs name the stage. */
    public String label() {
        return switch (kind) {
            case ANSWERS -> "models";
            case REVIEWS -> "team stage " + number;
            case JUDGMENTS -> "judges";
        };
    }

    /**
     * The stage's own job id within the run's job {@code jobId}: stored files are named by job, partition and attempt,
     * so no two stages of a job may share one (a judge that is also a team's reviewer writes into the same folder).
     */
    public String jobId(String jobId) {
        return switch (kind) {
            case ANSWERS -> jobId;
            case REVIEWS -> jobId + "s" + number;
            case JUDGMENTS -> jobId + "j";
        };
    }

    /** The items whose keys are not finished yet, in plan order. */
    public List<WorkItem> pending(Set<String> finishedKeys) {
        return items.stream().filter(i -> !finishedKeys.contains(i.workKey())).toList();
    }
}
