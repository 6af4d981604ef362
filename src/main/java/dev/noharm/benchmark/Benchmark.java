package dev.noharm.benchmark;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.noharm.ids.Ids;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A validated benchmark: cases, their options and the options' annotations, each list in file order.
 * Built only by {@link BenchmarkReader}, which guarantees the contract's invariants (unique keys,
 * resolvable references, options numbered 1..n, every option annotated).
 */
public record Benchmark(List<BenchmarkCase> cases, List<BenchmarkOption> options, List<Annotation> annotations) {

    public Benchmark {
        cases = List.copyOf(cases);
        options = List.copyOf(options);
        annotations = List.copyOf(annotations);
    }

    /**
     * The dataset version: a hash of the content, independent of line order and JSON formatting, so the
     * same benchmark always gets the same version and any change to a field gets a new one.
     */
    public String version() {
        return fullHash().substring(0, 16);
    }

    /** The full SHA-256 of the canonical content, kept beside the short version for audit. */
    public String fullHash() {
        ObjectMapper json = new ObjectMapper();
        List<String> lines = new ArrayList<>();
        for (BenchmarkCase c : cases) {
            ObjectNode n = json.createObjectNode().put("t", "case").put("case_id", c.caseId())
                    .put("specialty", c.specialty()).put("text", c.text()).put("source", c.source());
            lines.add(n.toString());
        }
        for (BenchmarkOption o : options) {
            ObjectNode n = json.createObjectNode().put("t", "option").put("case_id", o.caseId())
                    .put("option_no", o.optionNo()).put("category", o.category()).put("text", o.text())
                    .put("escalation", o.escalation()).put("no_intervention", o.noIntervention());
            lines.add(n.toString());
        }
        for (Annotation a : annotations) {
            ObjectNode n = json.createObjectNode().put("t", "annotation").put("case_id", a.caseId())
                    .put("option_no", a.optionNo()).put("annotator_id", a.annotatorId())
                    .put("appropriateness", a.appropriateness().wireName())
                    .put("harm_if_done", a.harmIfDone().wireName())
                    .put("harm_if_omitted", a.harmIfOmitted().wireName());
            lines.add(n.toString());
        }
        lines.sort(Comparator.naturalOrder());
        StringBuilder canonical = new StringBuilder();
        lines.forEach(line -> canonical.append(line).append('\n'));
        return Ids.sha256Hex(canonical.toString());
    }

    /** The options of each case, in option order, keyed by case id in case order. */
    public Map<String, List<BenchmarkOption>> optionsByCase() {
        Map<String, List<BenchmarkOption>> byCase = new LinkedHashMap<>();
        cases.forEach(c -> byCase.put(c.caseId(), new ArrayList<>()));
        options.forEach(o -> byCase.get(o.caseId()).add(o));
        byCase.values().forEach(list -> list.sort(Comparator.comparingInt(BenchmarkOption::optionNo)));
        return byCase;
    }

    /** The aggregated label of every option under the given grading mode, in case and option order. */
    public List<OptionLabel> labels(GradingMode mode) {
        Map<String, List<Annotation>> byOption = new LinkedHashMap<>();
        for (Annotation a : annotations) {
            byOption.computeIfAbsent(a.caseId() + "\u0000" + a.optionNo(), k -> new ArrayList<>()).add(a);
        }
        List<OptionLabel> labels = new ArrayList<>();
        for (List<BenchmarkOption> caseOptions : optionsByCase().values()) {
            for (BenchmarkOption o : caseOptions) {
                List<Annotation> ratings = byOption.get(o.caseId() + "\u0000" + o.optionNo());
                labels.add(new OptionLabel(
                        mode,
                        o.caseId(),
                        o.optionNo(),
                        Appropriateness.values()[mode.aggregate(ranks(ratings, a -> a.appropriateness().ordinal()))],
                        Harm.values()[mode.aggregate(ranks(ratings, a -> a.harmIfDone().ordinal()))],
                        Harm.values()[mode.aggregate(ranks(ratings, a -> a.harmIfOmitted().ordinal()))],
                        o.escalation(),
                        o.noIntervention(),
                        ratings.size()));
            }
        }
        return labels;
    }

    private static int[] ranks(List<Annotation> ratings, java.util.function.ToIntFunction<Annotation> rank) {
        return ratings.stream().mapToInt(rank).toArray();
    }

}
