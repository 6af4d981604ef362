package dev.noharm.nightly;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.noharm.generation.RunSpec;
import dev.noharm.scoring.Metric;
import dev.noharm.validation.ConfigFiles;
import dev.noharm.validation.InvalidInputException;
import dev.noharm.validation.JsonLinesFields;
import dev.noharm.validation.ValidationProblem;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A nightly specification ({@code jobs/nightly.yaml}): a run spec (models, samples, prompt variants,
 * retries, ...) whose {@code run_id} is the nightly id, plus the dataset versions to keep complete and
 * the regression rule. Validated whole, like every spec.
 */
public record NightlySpec(RunSpec run, List<String> datasetVersions, Regression regression) {

    /** Metrics watched for regressions, with how much worse they may get before a flag. */
    public record Regression(List<String> gradings, int replicates, long seed, int minCases, Map<Metric.Watched, Double> margins) {}

    private static final Set<String> NIGHTLY_FIELDS = Set.of("nightly_id", "dataset_versions", "regression");

    public static NightlySpec load(String path) {
        return parse(ConfigFiles.read(path), path);
    }

    public static NightlySpec parse(String yaml, String fileName) {
        ObjectMapper mapper = new ObjectMapper(new YAMLFactory());
        JsonNode root = ConfigFiles.yamlMapping(yaml, fileName, "nightly spec");
        List<ValidationProblem> problems = new ArrayList<>();
        JsonLinesFields f = new JsonLinesFields(root, fileName, 0, problems);
        String nightlyId = f.requiredString("nightly_id").orElse("nightly");

        List<String> versions = new ArrayList<>();
        JsonNode list = root.get("dataset_versions");
        if (list == null || list.isNull()) {
            versions.add("latest");
        } else if (!list.isArray() || list.isEmpty()) {
            f.problem("dataset_versions", "must be a non-empty list of dataset versions, 'latest' or 'all'");
        } else {
            list.forEach(v -> versions.add(v.asText()));
        }

        JsonLinesFields r = f.child("regression");
        r.rejectUnknownFields(Set.of("gradings", "replicates", "seed", "min_cases", "margins"));
        List<String> gradings = new ArrayList<>();
        JsonNode gradingList = root.path("regression").get("gradings");
        if (gradingList == null || gradingList.isNull()) {
            gradings.add(dev.noharm.benchmark.GradingMode.MAJORITY.displayName());
        } else {
            for (JsonNode g : gradingList) {
                var mode = dev.noharm.benchmark.GradingMode.fromName(g.asText());
                if (!g.isTextual() || mode.isEmpty()) {
                    r.problem("gradings", "unknown grading " + g + " (" + dev.noharm.benchmark.GradingMode.names() + ")");
                } else {
                    gradings.add(mode.get().displayName());
                }
            }
        }
        int replicates = r.optionalPositiveInt("replicates", 1000);
        int seed = r.optionalPositiveInt("seed", 1);
        int minCases = r.optionalPositiveInt("min_cases", 10);
        Map<Metric.Watched, Double> margins = new LinkedHashMap<>();
        JsonNode marginNode = root.path("regression").path("margins");
        JsonLinesFields m = r.child("margins");
        List<String> keys = java.util.Arrays.stream(Metric.Watched.values()).map(Metric.Watched::key).toList();
        m.rejectUnknownFields(Set.copyOf(keys));
        for (Metric.Watched w : Metric.Watched.values()) {
            JsonNode value = marginNode.get(w.key());
            if (value == null || value.isNull()) {
                margins.put(w, 0.0);
            } else if (!value.isNumber() || value.asDouble() < 0) {
                m.problem(w.key(), "must be a number >= 0 (how much worse than the previous version is tolerated)");
            } else {
                margins.put(w, value.asDouble());
            }
        }

        // The rest is a run spec; its own parser checks it and names its fields.
        ObjectNode runFields = root.deepCopy();
        NIGHTLY_FIELDS.forEach(runFields::remove);
        if (runFields.has("run_id")) {
            f.problem("run_id", "a nightly spec has nightly_id instead");
        }
        runFields.put("run_id", nightlyId);
        runFields.put("dataset_version", "latest");
        RunSpec run = null;
        try {
            run = RunSpec.parse(mapper.writeValueAsString(runFields), fileName);
        } catch (InvalidInputException e) {
            problems.addAll(e.problems());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        if (!problems.isEmpty()) {
            throw new InvalidInputException("nightly spec " + fileName, problems);
        }
        return new NightlySpec(run, List.copyOf(versions), new Regression(List.copyOf(gradings), replicates, seed, minCases, margins));
    }
}
