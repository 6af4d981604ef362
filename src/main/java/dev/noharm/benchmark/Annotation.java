package dev.noharm.benchmark;

/** One line of {@code annotations.jsonl}: one specialist's ratings of one option. */
public record Annotation(
        String caseId,
        int optionNo,
        String annotatorId,
        Appropriateness appropriateness,
        Harm harmIfDone,
        Harm harmIfOmitted) {}
