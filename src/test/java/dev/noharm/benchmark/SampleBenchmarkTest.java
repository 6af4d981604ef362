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

    @Test
    void theVariantsChangeSexAndAgeWithoutChangingLabelsAndALabValueWithNewLabels() {
        Benchmark withVariants = new BenchmarkReader().read(BenchmarkSource.bundledSampleWithVariants());
        Map<String, BenchmarkCase> cases = withVariants.cases().stream().collect(Collectors.toMap(BenchmarkCase::caseId, c -> c));
        assertEquals(sample.cases().size() + 3, cases.size());
        assertEquals(Map.of("card-01-sex", "sex", "gi-01-age", "age", "neph-02-lab", "lab_values"), withVariants.cases().stream()
                .filter(c -> c.variantOf() != null).collect(Collectors.toMap(BenchmarkCase::caseId, BenchmarkCase::perturbation)));
        assertTrue(withVariants.cases().stream().allMatch(c -> c.source().startsWith("synthetic")));
        // Management should not change with sex or age: the same options, word for word, with the same labels.
        for (String variant : List.of("card-01-sex", "gi-01-age")) {
            String original = cases.get(variant).variantOf();
            assertEquals(texts(withVariants, original), texts(withVariants, variant), variant);
            assertEquals(labels(withVariants, original), labels(withVariants, variant), variant);
        }
        // A potassium of 5.4 instead of 6.4 mmol/L: the same options, re-annotated (no longer an emergency: doing
        // nothing is no longer death-level harm, the ECG no longer severe to omit).
        assertEquals(texts(withVariants, "neph-02"), texts(withVariants, "neph-02-lab"));
        List<String> before = labels(withVariants, "neph-02");
        List<String> after = labels(withVariants, "neph-02-lab");
        assertTrue(before.contains("10/neph-specialist-1/HIGHLY_INAPPROPRIATE/DEATH/NONE") && after.contains("10/neph-specialist-1/INAPPROPRIATE/MODERATE/NONE"),
                before + " -> " + after);
        assertTrue(before.contains("1/neph-specialist-1/HIGHLY_APPROPRIATE/NONE/SEVERE") && after.contains("1/neph-specialist-1/APPROPRIATE/NONE/MILD"));
    }

    private static List<String> texts(Benchmark b, String caseId) {
        return b.optionsByCase().get(caseId).stream().map(o -> o.optionNo() + " " + o.category() + " " + o.text()).toList();
    }

    private static List<String> labels(Benchmark b, String caseId) {
        return b.annotations().stream().filter(a -> a.caseId().equals(caseId))
                .map(a -> a.optionNo() + "/" + a.annotatorId() + "/" + a.appropriateness() + "/" + a.harmIfDone() + "/" + a.harmIfOmitted())
                .sorted().toList();
    }
}
