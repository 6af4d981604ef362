package dev.noharm.benchmark;

/** One line of {@code cases.jsonl}. {@code source} may be null. */
public record BenchmarkCase(String caseId, String specialty, String text, String source) {}
