package dev.noharm.benchmark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.noharm.testing.BenchmarkFixture;
import dev.noharm.validation.InvalidInputException;
import dev.noharm.validation.ValidationProblem;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every rejection rule of CONTRACT section 1, each with the exact message a user sees. */
class BenchmarkReaderTest {
    private static final String CASES = "cases.jsonl";
    private static final String OPTIONS = "options.jsonl";
    private static final String ANNOTATIONS = "annotations.jsonl";

    @TempDir
    Path dir;

    private List<String> problems(BenchmarkFixture fixture) {
        BenchmarkSource source = BenchmarkSource.folder(fixture.writeTo(dir).toString(), new Configuration());
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> new BenchmarkReader().read(source));
        return e.problems().stream().map(ValidationProblem::toString).toList();
    }

    @Test
    void acceptsTheFixture() {
        Benchmark b = new BenchmarkReader().read(BenchmarkSource.folder(BenchmarkFixture.tiny().writeTo(dir).toString(), new Configuration()));
        assertEquals(2, b.cases().size());
        assertEquals(5, b.options().size());
        assertEquals(17, b.annotations().size());
        assertEquals(new BenchmarkCase("c2", "Neurology", "Case two. What next?", null), b.cases().get(1));
        assertEquals(new BenchmarkOption("c1", 2, "Referral", "Refer", true, false), b.options().get(1));
        assertEquals(new Annotation("c2", 2, "r3", Appropriateness.HIGHLY_INAPPROPRIATE, Harm.MODERATE, Harm.UNCERTAIN),
                b.annotations().get(15));
    }

    @Test
    void malformedJson() {
        // The last annotation of c2/2 is unreadable; its other three annotations still cover the option.
        assertEquals(List.of("annotations.jsonl:17: malformed JSON: Unexpected character ('}' (code 125)): was expecting double-quote to start field name"),
                problems(BenchmarkFixture.tiny().replaceLine(ANNOTATIONS, 17, "{\"case_id\":\"c2\",}")));
    }

    @Test
    void trailingGarbageAndNonObjectsAreMalformed() {
        List<String> problems = problems(BenchmarkFixture.tiny()
                .addLine(CASES, "{\"case_id\":\"c3\",\"specialty\":\"x\",\"text\":\"y\"} extra")
                .addLine(CASES, "[1, 2]"));
        assertEquals("cases.jsonl:3: malformed JSON: Unrecognized token 'extra': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')",
                problems.get(0));
        assertEquals("cases.jsonl:4: expected a JSON object", problems.get(1));
        assertEquals(2, problems.size());
    }

    @Test
    void missingRequiredFieldsAreAllReportedForTheFile() {
        assertEquals(List.of(
                        "cases.jsonl:1: specialty: required field is missing",
                        "cases.jsonl:2: text: must not be empty"),
                problems(BenchmarkFixture.tiny()
                        .replaceLine(CASES, 1, "{\"case_id\":\"c1\",\"text\":\"Case one.\"}")
                        .replaceLine(CASES, 2, "{\"case_id\":\"c2\",\"specialty\":\"Neurology\",\"text\":\" \"}")));
    }

    @Test
    void wrongTypesAndCaseIdPattern() {
        List<String> problems = problems(BenchmarkFixture.tiny()
                .addLine(CASES, "{\"case_id\":\"bad id!\",\"specialty\":\"x\",\"text\":\"y\"}")
                .replaceLine(OPTIONS, 1, "{\"case_id\":\"c1\",\"option_no\":1,\"category\":\"Medication\",\"text\":\"Drug A\",\"escalation\":\"yes\"}")
                .replaceLine(OPTIONS, 2, "{\"case_id\":\"c1\",\"option_no\":\"2\",\"category\":\"Referral\",\"text\":\"Refer\"}"));
        assertEquals(List.of(
                "cases.jsonl:3: case_id: must match [A-Za-z0-9._-]{1,64}, got \"bad id!\"",
                "options.jsonl:1: escalation: must be true or false, got \"yes\"",
                // Reported once: the gap and the dangling annotations it causes in case c1 are not repeated.
                "options.jsonl:2: option_no: must be an integer >= 1, got \"2\""), problems);
    }

    private static final String C2 = "{\"case_id\":\"c2\",\"specialty\":\"Neurology\",\"text\":\"Case two. What next?\"";

    @Test
    void aPerturbedCopyNamesItsOriginalAndTheKindOfChange() {
        Benchmark b = new BenchmarkReader().read(BenchmarkSource.folder(BenchmarkFixture.tiny()
                .replaceLine(CASES, 2, C2 + ",\"variant_of\":\"c1\",\"perturbation\":\"age\"}").writeTo(dir).toString(), new Configuration()));
        assertEquals(new BenchmarkCase("c2", "Neurology", "Case two. What next?", null, "c1", "age"), b.cases().get(1));
        assertEquals(new BenchmarkCase("c1", "Cardiology", "Case one. What next?", "test fixture", null, null), b.cases().get(0));
    }

    @Test
    void aVariantNeedsBothFieldsAndAnOriginalThatIsNotAVariant() {
        assertEquals(List.of("cases.jsonl:2: variant_of: no case \"c9\" in cases.jsonl"),
                problems(BenchmarkFixture.tiny().replaceLine(CASES, 2, C2 + ",\"variant_of\":\"c9\",\"perturbation\":\"age\"}")));
        assertEquals(List.of("cases.jsonl:2: perturbation: required with variant_of: the kind of change (sex, age, race, lab_values, context, ...)"),
                problems(BenchmarkFixture.tiny().replaceLine(CASES, 2, C2 + ",\"variant_of\":\"c1\"}")));
        assertEquals(List.of("cases.jsonl:2: perturbation: must not be empty",
                        "cases.jsonl:2: variant_of: required with perturbation: the case_id of the original case"),
                problems(BenchmarkFixture.tiny().replaceLine(CASES, 2, C2 + ",\"perturbation\":\"\"}")));
        assertEquals(List.of(
                        "cases.jsonl:1: variant_of: case \"c2\" is itself a variant (of \"c1\"); name the original case",
                        "cases.jsonl:2: variant_of: case \"c1\" is itself a variant (of \"c2\"); name the original case"),
                problems(BenchmarkFixture.tiny()
                        .replaceLine(CASES, 1, "{\"case_id\":\"c1\",\"specialty\":\"Cardiology\",\"text\":\"Case one.\",\"variant_of\":\"c2\",\"perturbation\":\"sex\"}")
                        .replaceLine(CASES, 2, C2 + ",\"variant_of\":\"c1\",\"perturbation\":\"age\"}")));
        assertEquals(List.of("cases.jsonl:1: variant_of: case \"c1\" is itself a variant (of \"c1\"); name the original case"),
                problems(BenchmarkFixture.tiny().replaceLine(CASES, 1,
                        "{\"case_id\":\"c1\",\"specialty\":\"Cardiology\",\"text\":\"Case one.\",\"variant_of\":\"c1\",\"perturbation\":\"sex\"}")));
    }

    @Test
    void unknownEnumValues() {
        assertEquals(List.of(
                        "annotations.jsonl:2: appropriateness: unknown value \"very_appropriate\" (allowed: highly_inappropriate, inappropriate, uncertain, appropriate, highly_appropriate)",
                        "annotations.jsonl:3: harm_if_done: unknown value \"fatal\" (allowed: none, uncertain, mild, moderate, severe, death)",
                        "annotations.jsonl:3: harm_if_omitted: unknown value \"Severe\" (allowed: none, uncertain, mild, moderate, severe, death)"),
                problems(BenchmarkFixture.tiny()
                        .replaceLine(ANNOTATIONS, 2, BenchmarkFixture.ann("c1", 1, "r2", "very_appropriate", "mild", "severe"))
                        .replaceLine(ANNOTATIONS, 3, BenchmarkFixture.ann("c1", 1, "r3", "appropriate", "fatal", "Severe"))));
    }

    @Test
    void unknownFieldsAreRejectedSoThatTyposCannotPass() {
        assertEquals(List.of("options.jsonl:2: escalaton: unknown field (expected one of: case_id, category, escalation, no_intervention, option_no, text)"),
                problems(BenchmarkFixture.tiny().replaceLine(OPTIONS, 2,
                        "{\"case_id\":\"c1\",\"option_no\":2,\"category\":\"Referral\",\"text\":\"Refer\",\"escalaton\":true}")));
    }

    @Test
    void duplicates() {
        assertEquals(List.of(
                        "cases.jsonl:3: case_id: duplicate case_id \"c1\" (first on line 1)",
                        "options.jsonl:6: option_no: duplicate option 2 of case \"c2\" (first on line 5)",
                        "annotations.jsonl:18: annotator_id: duplicate annotation by \"r2\" of option 3 of case \"c1\""),
                problems(BenchmarkFixture.tiny()
                        .addLine(CASES, "{\"case_id\":\"c1\",\"specialty\":\"Cardiology\",\"text\":\"Again\"}")
                        .addLine(OPTIONS, "{\"case_id\":\"c2\",\"option_no\":2,\"category\":\"Medication\",\"text\":\"Drug Z\"}")
                        .addLine(ANNOTATIONS, BenchmarkFixture.ann("c1", 3, "r2", "inappropriate", "mild", "none"))));
    }

    @Test
    void referencesToMissingCasesAndOptions() {
        assertEquals(List.of(
                        "options.jsonl:6: case_id: no case \"c9\" in cases.jsonl",
                        "annotations.jsonl:18: case_id: no case \"c9\" in cases.jsonl",
                        "annotations.jsonl:19: option_no: no option 7 of case \"c2\" in options.jsonl"),
                problems(BenchmarkFixture.tiny()
                        .addLine(OPTIONS, "{\"case_id\":\"c9\",\"option_no\":1,\"category\":\"Medication\",\"text\":\"Drug\"}")
                        .addLine(ANNOTATIONS, BenchmarkFixture.ann("c9", 1, "r1", "appropriate", "none", "none"))
                        .addLine(ANNOTATIONS, BenchmarkFixture.ann("c2", 7, "r1", "appropriate", "none", "none"))));
    }

    @Test
    void optionNumbersWithGaps() {
        assertEquals(List.of("options.jsonl:6: option_no: options of case \"c2\" must be numbered 1..4 without gaps; missing 3"),
                problems(BenchmarkFixture.tiny()
                        .addLine(OPTIONS, "{\"case_id\":\"c2\",\"option_no\":4,\"category\":\"Medication\",\"text\":\"Drug W\"}")
                        .addLine(ANNOTATIONS, BenchmarkFixture.ann("c2", 4, "r1", "appropriate", "none", "none"))));
    }

    @Test
    void caseWithNoOptionsAndOptionWithNoAnnotation() {
        assertEquals(List.of(
                        "cases.jsonl:3: case_id: case \"c3\" has no options in options.jsonl",
                        "options.jsonl:5: option_no: option 2 of case \"c2\" has no annotation in annotations.jsonl"),
                problems(BenchmarkFixture.tiny()
                        .addLine(CASES, "{\"case_id\":\"c3\",\"specialty\":\"Nephrology\",\"text\":\"Case three?\"}")
                        .removeLine(ANNOTATIONS, 17).removeLine(ANNOTATIONS, 16).removeLine(ANNOTATIONS, 15).removeLine(ANNOTATIONS, 14)));
    }

    @Test
    void missingFile() {
        List<String> problems = problems(BenchmarkFixture.tiny().removeFile(ANNOTATIONS));
        assertEquals(List.of("annotations.jsonl: file not found in " + dir), problems);
    }

    @Test
    void versionIgnoresLineOrderAndFormattingButNotContent() {
        Configuration conf = new Configuration();
        String base = new BenchmarkReader().read(BenchmarkSource.folder(
                BenchmarkFixture.tiny().writeTo(dir.resolve("a")).toString(), conf)).version();
        String reordered = new BenchmarkReader().read(BenchmarkSource.folder(BenchmarkFixture.tiny()
                .replaceLine(CASES, 1, "{ \"text\": \"Case one. What next?\", \"source\": \"test fixture\", \"specialty\": \"Cardiology\", \"case_id\": \"c1\" }")
                .writeTo(dir.resolve("b")).toString(), conf)).version();
        String changed = new BenchmarkReader().read(BenchmarkSource.folder(BenchmarkFixture.tiny()
                .replaceLine(ANNOTATIONS, 1, BenchmarkFixture.ann("c1", 1, "r1", "highly_appropriate", "none", "death"))
                .writeTo(dir.resolve("c")).toString(), conf)).version();
        assertEquals(base, reordered);
        assertNotEquals(base, changed);
        assertEquals(16, base.length());
    }
}
