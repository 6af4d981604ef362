package dev.noharm.generation.plan;

import dev.noharm.benchmark.BenchmarkOption;
import java.util.List;
import java.util.Map;

/** The part of a dataset version that prompts are made of: each case's text and options, in case order. */
public record PlanInputs(String datasetVersion, Map<String, String> caseText, Map<String, List<BenchmarkOption>> optionsByCase) {
    public PlanInputs {
        caseText = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(caseText));
        optionsByCase = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(optionsByCase));
    }

    /** A benchmark read from files (tests, benchmarks), in the case order the lake gives: by case id. */
    public static PlanInputs of(dev.noharm.benchmark.Benchmark benchmark) {
        Map<String, String> text = new java.util.TreeMap<>();
        benchmark.cases().forEach(c -> text.put(c.caseId(), c.text()));
        return new PlanInputs(benchmark.version(), text, benchmark.optionsByCase());
    }
}
