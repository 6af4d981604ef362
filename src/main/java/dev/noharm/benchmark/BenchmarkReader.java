package dev.noharm.benchmark;

import static dev.noharm.benchmark.BenchmarkSource.ANNOTATIONS;
import static dev.noharm.benchmark.BenchmarkSource.CASES;
import static dev.noharm.benchmark.BenchmarkSource.OPTIONS;

import dev.noharm.validation.InvalidInputException;
import dev.noharm.validation.JsonLinesFields;
import dev.noharm.validation.ValidationProblem;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import java.util.regex.Pattern;

/**
 * Reads and validates a benchmark in the format of CONTRACT section 1. Every rule is checked over all
 * three files before anything is returned, so one run reports every problem; any problem rejects the
 * whole benchmark with an {@link InvalidInputException}.
 */
public final class BenchmarkReader {
    private static final Pattern CASE_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final Set<String> CASE_FIELDS = Set.of("case_id", "specialty", "text", "source", "variant_of", "perturbation");
    private static final Set<String> OPTION_FIELDS =
            Set.of("case_id", "option_no", "category", "text", "escalation", "no_intervention");
    private static final Set<String> ANNOTATION_FIELDS = Set.of(
            "case_id", "option_no", "annotator_id", "appropriateness", "harm_if_done", "harm_if_omitted");

    public Benchmark read(BenchmarkSource source) {
        Map<String, List<ValidationProblem>> problems = new LinkedHashMap<>();
        Map<String, Optional<List<String>>> contents = new HashMap<>();
        for (String file : List.of(CASES, OPTIONS, ANNOTATIONS)) {
            problems.put(file, new ArrayList<>());
            contents.put(file, source.lines(file));
        }

        Map<String, Integer> caseLines = new LinkedHashMap<>();
        List<BenchmarkCase> cases = new ArrayList<>();
        eachObject(source, contents, CASES, problems.get(CASES), (fields, line) -> readCase(fields, caseLines, cases));
        checkVariants(cases, caseLines, problems.get(CASES));

        Map<String, Integer> optionLines = new HashMap<>();
        List<BenchmarkOption> options = new ArrayList<>();
        // Cases with an option line whose number could not be read: their numbering and references are
        // not checked, so one bad field is reported once rather than as a cascade of consequences.
        Set<String> unnumbered = new HashSet<>();
        eachObject(source, contents, OPTIONS, problems.get(OPTIONS),
                (fields, line) -> readOption(fields, caseLines, optionLines, unnumbered, options));

        Set<String> annotated = new HashSet<>();
        Set<String> annotationKeys = new HashSet<>();
        List<Annotation> annotations = new ArrayList<>();
        eachObject(source, contents, ANNOTATIONS, problems.get(ANNOTATIONS), (fields, line) -> readAnnotation(
                fields, caseLines, optionLines, unnumbered, annotationKeys, annotated, annotations));

        if (contents.get(CASES).isPresent() && contents.get(OPTIONS).isPresent()) {
            checkOptionNumbering(caseLines, optionLines, unnumbered, problems.get(CASES), problems.get(OPTIONS));
        }
        if (contents.get(OPTIONS).isPresent() && contents.get(ANNOTATIONS).isPresent()) {
            for (BenchmarkOption o : options) {
                if (!annotated.contains(optionKey(o.caseId(), o.optionNo()))) {
                    problems.get(OPTIONS).add(new ValidationProblem(OPTIONS, optionLines.get(optionKey(o.caseId(), o.optionNo())),
                            "option_no", "option " + o.optionNo() + " of case " + JsonLinesFields.quote(o.caseId())
                                    + " has no annotation in " + ANNOTATIONS));
                }
            }
        }

        List<ValidationProblem> all = new ArrayList<>();
        for (List<ValidationProblem> fileProblems : problems.values()) {
            fileProblems.sort(Comparator.comparingInt(ValidationProblem::line));
            all.addAll(fileProblems);
        }
        if (!all.isEmpty()) {
            throw new InvalidInputException("benchmark " + source.describe(), all);
        }
        return new Benchmark(cases, options, annotations);
    }

    private void readCase(JsonLinesFields f, Map<String, Integer> caseLines, List<BenchmarkCase> cases) {
        f.rejectUnknownFields(CASE_FIELDS);
        Optional<String> caseId = f.requiredString("case_id");
        if (caseId.isPresent() && !CASE_ID.matcher(caseId.get()).matches()) {
            f.problem("case_id", "must match [A-Za-z0-9._-]{1,64}, got " + JsonLinesFields.quote(caseId.get()));
            caseId = Optional.empty();
        }
        Optional<String> specialty = f.requiredString("specialty");
        Optional<String> text = f.requiredString("text");
        Optional<String> source = f.optionalString("source");
        // A perturbed copy names its original and the kind of change: both fields, or neither.
        Optional<String> variantOf = f.has("variant_of") ? f.requiredString("variant_of") : Optional.empty();
        Optional<String> perturbation = f.has("perturbation") ? f.requiredString("perturbation") : Optional.empty();
        if (f.has("variant_of") && !f.has("perturbation")) {
            f.problem("perturbation", "required with variant_of: the kind of change (sex, age, race, lab_values, context, ...)");
        } else if (f.has("perturbation") && !f.has("variant_of")) {
            f.problem("variant_of", "required with perturbation: the case_id of the original case");
        }
        if (caseId.isPresent()) {
            Integer first = caseLines.putIfAbsent(caseId.get(), f.line());
            if (first != null) {
                f.problem("case_id", "duplicate case_id " + JsonLinesFields.quote(caseId.get()) + " (first on line " + first + ")");
                return;
            }
        }
        if (caseId.isPresent() && specialty.isPresent() && text.isPresent()) {
            boolean variant = variantOf.isPresent() && perturbation.isPresent();
            cases.add(new BenchmarkCase(caseId.get(), specialty.get(), text.get(), source.orElse(null),
                    variant ? variantOf.get() : null, variant ? perturbation.get() : null));
        }
    }

    /** A variant's original must be a case of the same file that is not a variant itself. */
    private static void checkVariants(List<BenchmarkCase> cases, Map<String, Integer> caseLines, List<ValidationProblem> problems) {
        Map<String, BenchmarkCase> byId = new HashMap<>();
        cases.forEach(c -> byId.put(c.caseId(), c));
        for (BenchmarkCase c : cases) {
            if (!c.isVariant()) {
                continue;
            }
            BenchmarkCase original = byId.get(c.variantOf());
            int line = caseLines.get(c.caseId());
            if (original == null) {
                problems.add(new ValidationProblem(CASES, line, "variant_of", caseLines.containsKey(c.variantOf())
                        ? "case " + JsonLinesFields.quote(c.variantOf()) + " has problems of its own (see its line)"
                        : "no case " + JsonLinesFields.quote(c.variantOf()) + " in " + CASES));
            } else if (original.isVariant()) {
                problems.add(new ValidationProblem(CASES, line, "variant_of", "case " + JsonLinesFields.quote(c.variantOf())
                        + " is itself a variant (of " + JsonLinesFields.quote(original.variantOf()) + "); name the original case"));
            }
        }
    }

    private void readOption(JsonLinesFields f, Map<String, Integer> caseLines, Map<String, Integer> optionLines,
            Set<String> unnumbered, List<BenchmarkOption> options) {
        f.rejectUnknownFields(OPTION_FIELDS);
        Optional<String> caseId = f.requiredString("case_id");
        Optional<Integer> optionNo = f.requiredPositiveInt("option_no");
        Optional<String> category = f.requiredString("category");
        Optional<String> text = f.requiredString("text");
        boolean escalation = f.optionalBoolean("escalation");
        boolean noIntervention = f.optionalBoolean("no_intervention");
        if (caseId.isPresent() && !caseLines.containsKey(caseId.get())) {
            f.problem("case_id", "no case " + JsonLinesFields.quote(caseId.get()) + " in " + CASES);
            return;
        }
        if (caseId.isPresent() && optionNo.isEmpty()) {
            unnumbered.add(caseId.get());
        }
        if (caseId.isEmpty() || optionNo.isEmpty()) {
            return;
        }
        String key = optionKey(caseId.get(), optionNo.get());
        Integer first = optionLines.putIfAbsent(key, f.line());
        if (first != null) {
            f.problem("option_no", "duplicate option " + optionNo.get() + " of case "
                    + JsonLinesFields.quote(caseId.get()) + " (first on line " + first + ")");
            return;
        }
        if (category.isPresent() && text.isPresent()) {
            options.add(new BenchmarkOption(caseId.get(), optionNo.get(), category.get(), text.get(), escalation, noIntervention));
        }
    }

    private void readAnnotation(JsonLinesFields f, Map<String, Integer> caseLines, Map<String, Integer> optionLines,
            Set<String> unnumbered, Set<String> annotationKeys, Set<String> annotated, List<Annotation> annotations) {
        f.rejectUnknownFields(ANNOTATION_FIELDS);
        Optional<String> caseId = f.requiredString("case_id");
        Optional<Integer> optionNo = f.requiredPositiveInt("option_no");
        Optional<String> annotator = f.requiredString("annotator_id");
        Optional<Appropriateness> appropriateness =
                f.requiredEnum("appropriateness", Appropriateness::fromWireName, Appropriateness.allowedValues());
        Optional<Harm> done = f.requiredEnum("harm_if_done", Harm::fromWireName, Harm.allowedValues());
        Optional<Harm> omitted = f.requiredEnum("harm_if_omitted", Harm::fromWireName, Harm.allowedValues());
        if (caseId.isPresent() && !caseLines.containsKey(caseId.get())) {
            f.problem("case_id", "no case " + JsonLinesFields.quote(caseId.get()) + " in " + CASES);
            return;
        }
        if (caseId.isEmpty() || optionNo.isEmpty()) {
            return;
        }
        String option = optionKey(caseId.get(), optionNo.get());
        if (!optionLines.containsKey(option) && !unnumbered.contains(caseId.get())) {
            f.problem("option_no", "no option " + optionNo.get() + " of case " + JsonLinesFields.quote(caseId.get())
                    + " in " + OPTIONS);
            return;
        }
        if (annotator.isEmpty()) {
            return;
        }
        if (!annotationKeys.add(option + "\u0000" + annotator.get())) {
            f.problem("annotator_id", "duplicate annotation by " + JsonLinesFields.quote(annotator.get())
                    + " of option " + optionNo.get() + " of case " + JsonLinesFields.quote(caseId.get()));
            return;
        }
        annotated.add(option);
        if (appropriateness.isPresent() && done.isPresent() && omitted.isPresent()) {
            annotations.add(new Annotation(caseId.get(), optionNo.get(), annotator.get(),
                    appropriateness.get(), done.get(), omitted.get()));
        }
    }

    /** Every case has options, numbered 1..n with no gaps. */
    private static void checkOptionNumbering(Map<String, Integer> caseLines, Map<String, Integer> optionLines,
            Set<String> unnumbered, List<ValidationProblem> caseProblems, List<ValidationProblem> optionProblems) {
        Map<String, TreeMap<Integer, Integer>> numbersByCase = new HashMap<>();
        for (String key : optionLines.keySet()) {
            int split = key.indexOf('\u0000');
            numbersByCase.computeIfAbsent(key.substring(0, split), k -> new TreeMap<>())
                    .put(Integer.parseInt(key.substring(split + 1)), optionLines.get(key));
        }
        for (Map.Entry<String, Integer> c : caseLines.entrySet()) {
            TreeMap<Integer, Integer> numbers = numbersByCase.get(c.getKey());
            if (unnumbered.contains(c.getKey())) {
                continue;
            }
            if (numbers == null) {
                caseProblems.add(new ValidationProblem(CASES, c.getValue(), "case_id",
                        "case " + JsonLinesFields.quote(c.getKey()) + " has no options in " + OPTIONS));
                continue;
            }
            List<Integer> missing = new ArrayList<>();
            for (int n = 1; n < numbers.lastKey(); n++) {
                if (!numbers.containsKey(n)) {
                    missing.add(n);
                }
            }
            if (!missing.isEmpty()) {
                int lineAfterGap = numbers.higherEntry(missing.get(0)).getValue();
                optionProblems.add(new ValidationProblem(OPTIONS, lineAfterGap, "option_no",
                        "options of case " + JsonLinesFields.quote(c.getKey()) + " must be numbered 1.."
                                + numbers.lastKey() + " without gaps; missing " + joined(missing)));
            }
        }
    }

    private static void eachObject(BenchmarkSource source, Map<String, Optional<List<String>>> contents, String file,
            List<ValidationProblem> problems, BiConsumer<JsonLinesFields, Integer> reader) {
        Optional<List<String>> lines = contents.get(file);
        if (lines.isEmpty()) {
            problems.add(new ValidationProblem(file, 0, null, "file not found in " + source.describe()));
            return;
        }
        JsonLinesFields.eachObject(lines.get(), file, problems, fields -> reader.accept(fields, fields.line()));
    }

    static String optionKey(String caseId, int optionNo) {
        return caseId + "\u0000" + optionNo;
    }

    private static String joined(List<Integer> numbers) {
        return String.join(", ", numbers.stream().map(String::valueOf).toList());
    }
}
