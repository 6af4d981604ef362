package dev.noharm.benchmark;

/**
 * The aggregated label of one option under one grading mode, with the per-case set memberships of
 * CONTRACT section 2: HA ({@link #highlyAppropriate}), A ({@link #appropriate}, HA included), U
 * ({@link #uncertain}) and ESC ({@link #escalation}).
 */
public record OptionLabel(
        GradingMode grading,
        String caseId,
        int optionNo,
        Appropriateness appropriateness,
        Harm harmIfDone,
        Harm harmIfOmitted,
        boolean escalation,
        boolean noIntervention,
        int annotators) {

    public boolean highlyAppropriate() {
        return appropriateness == Appropriateness.HIGHLY_APPROPRIATE;
    }

    public boolean appropriate() {
        return appropriateness.compareTo(Appropriateness.APPROPRIATE) >= 0;
    }

    public boolean uncertain() {
        return appropriateness == Appropriateness.UNCERTAIN;
    }
}
