package dev.noharm.benchmark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The bundled sample meets what issue 2 promises of it. */
class SampleBenchmarkTest {
    private final Benchmark sample = new BenchmarkReader().read(BenchmarkSource.bundledSample());

    @Test
    void tenSpecialtiesWithAtLeastTwoCasesEach() {
        Map<String, Long> perSpecialty = sample.cases().stream()
                .collect(Collectors.groupingBy(BenchmarkCase::specialty, Collectors.counting()));
        assertEquals(10, perSpecialty.size());
        assertTrue(perSpecialty.values().stream().allMatch(n -> n >= 2), perSpecialty.toString());
    }

    @Test
    void everyCaseIsMarkedSynthetic() {
        assertTrue(sample.cases().stream().allMatch(c -> c.source() != null && c.source().startsWith("synthetic")));
    }

    @Test
    void eightToFifteenOptionsPerCaseAcrossTheRealCategories() {
        for (List<BenchmarkOption> options : sample.optionsByCase().values()) {
            assertTrue(options.size() >= 8 && options.size() <= 15, options.get(0).caseId() + ": " + options.size());
        }
        Set<String> categories = sample.options().stream().map(BenchmarkOption::category).collect(Collectors.toSet());
        assertTrue(categories.containsAll(Set.of("Counseling", "Diagnostic", "Medication", "Referral", "Follow-up")), categories.toString());
        assertTrue(sample.options().stream().anyMatch(BenchmarkOption::escalation));
        assertTrue(sample.options().stream().anyMatch(BenchmarkOption::noIntervention));
    }

    @Test
    void threeAnnotatorsPerOptionWithDisagreementAndTheFullHarmScale() {
        Map<String, List<Annotation>> byOption = sample.annotations().stream()
                .collect(Collectors.groupingBy(a -> a.caseId() + "/" + a.optionNo()));
        assertEquals(sample.options().size(), byOption.size());
        assertTrue(byOption.values().stream().allMatch(list -> list.size() == 3));
        long disputed = byOption.values().stream()
                .filter(list -> list.stream().map(Annotation::appropriateness).distinct().count() > 1).count();
        assertTrue(disputed >= sample.options().size() / 5, "options with disagreement: " + disputed);

        Set<Harm> used = EnumSet.noneOf(Harm.class);
        sample.annotations().forEach(a -> {
            used.add(a.harmIfDone());
            used.add(a.harmIfOmitted());
        });
        assertEquals(EnumSet.allOf(Harm.class), used);
        Set<Appropriateness> appropriateness = sample.annotations().stream().map(Annotation::appropriateness)
                .collect(Collectors.toCollection(() -> EnumSet.noneOf(Appropriateness.class)));
        assertEquals(EnumSet.allOf(Appropriateness.class), appropriateness);
    }
}
