package dev.noharm.benchmark;

/**
 * One line of {@code cases.jsonl}. {@code source} may be null. A perturbed copy of another case (CONTRACT section 7)
 * names its original in {@code variantOf} and the kind of change in {@code perturbation}; both are null otherwise.
 */
public record BenchmarkCase(String caseId, String specialty, String text, String source, String variantOf, String perturbation) {

    /** An original case (not a perturbed copy). */
    public BenchmarkCase(String caseId, String specialty, String text, String source) {
        this(caseId, specialty, text, source, null, null);
    }

    public boolean isVariant() {
        return variantOf != null;
    }
}
