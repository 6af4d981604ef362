package dev.noharm.benchmark;

/** One line of {@code options.jsonl}: a management option of a case, numbered as the model sees it. */
public record BenchmarkOption(
        String caseId, int optionNo, String category, String text, boolean escalation, boolean noIntervention) {}
