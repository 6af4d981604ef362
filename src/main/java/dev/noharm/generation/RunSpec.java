package dev.noharm.generation;

import com.fasterxml.jackson.databind.JsonNode;
import dev.noharm.validation.ConfigFiles;
import dev.noharm.validation.InvalidInputException;
import dev.noharm.validation.JsonLinesFields;
import dev.noharm.validation.ValidationProblem;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A run specification ({@code jobs/*.yaml}): which models to evaluate, how many samples of each, with
 * which prompt variants, on which dataset version, and how to call them. Validated whole, like the registry.
 * Optional run-level settings are null when the spec does not give them; {@link GenerationSettings} resolves
 * them against the command line and the defaults.
 */
public record RunSpec(
        String runId,
        String registry,
        String datasetVersion,
        List<ModelRun> models,
        List<TeamRun> teams,
        List<String> promptVariants,
        Retry retry,
        Commit commit,
        Integer concurrencyPerTask,
        Integer progressSeconds,
        Double budgetUsd,
        String lake) implements Serializable {

    /** Samples (trials) of one registry model. */
    public record ModelRun(String model, int samples) implements Serializable {}

    /**
     * A team: an advisor model, then one or two reviewers (Guardian or Steward), each its own model; every
     * reviewer sees the case and the previous stage's answer and returns a corrected full array.
     */
    public record TeamRun(String id, int samples, String advisor, List<Reviewer> reviewers) implements Serializable {
        /** Every model of the chain, advisor first. */
        public List<String> members() {
            List<String> members = new ArrayList<>();
            members.add(advisor);
            reviewers.forEach(r -> members.add(r.model()));
            return members;
        }

        /** {@code Advisor + Guardian}, {@code Advisor + Guardian + Steward}, ... (CONTRACT section 5). */
        public String condition() {
            StringBuilder b = new StringBuilder("Advisor");
            reviewers.forEach(r -> b.append(" + ").append(r.role().displayName()));
            return b.toString();
        }
    }

    public record Reviewer(PromptBuilder.ReviewRole role, String model) implements Serializable {}

    /** Attempts per item for retryable failures (5xx, timeouts, connection errors); 429s wait without using one. */
    public record Retry(int maxAttempts, long baseDelayMs, long maxDelayMs, int maxRateLimitWaits) implements Serializable {}

    /** Results are committed to the lake every {@code everyResults} results or {@code everySeconds}, whichever first. */
    public record Commit(int everyResults, int everySeconds) implements Serializable {}

    private static final Set<String> FIELDS = Set.of("run_id", "registry", "dataset_version", "models", "teams",
            "prompt_variants", "retry", "commit", "concurrency_per_task", "progress_seconds", "budget_usd", "lake");


    /** Reads {@code path} from the working directory or the jar (see {@link ConfigFiles}). */
    public static RunSpec load(String path) {
        return parse(ConfigFiles.read(path), path);
    }

    public static RunSpec parse(String yaml, String fileName) {
        List<ValidationProblem> problems = new ArrayList<>();
        JsonNode root = ConfigFiles.yamlMapping(yaml, fileName, "run spec");
        JsonLinesFields f = new JsonLinesFields(root, fileName, 0, problems);
        f.rejectUnknownFields(FIELDS);
        Optional<String> runId = f.requiredString("run_id");
        runId.ifPresent(id -> {
            if (!id.matches("[A-Za-z0-9._-]{1,64}")) {
                f.problem("run_id", "must match [A-Za-z0-9._-]{1,64}");
            }
        });
        Optional<String> registry = f.requiredString("registry");
        String datasetVersion = f.optionalString("dataset_version").orElse(null);

        List<ModelRun> models = new ArrayList<>();
        JsonNode modelList = root.get("models");
        List<TeamRun> teams = parseTeams(root.get("teams"), fileName, f, problems);
        if ((modelList == null || modelList.isNull()) && !teams.isEmpty()) {
            // A spec may run teams only.
        } else if (modelList == null || !modelList.isArray() || modelList.isEmpty()) {
            f.problem("models", "must be a non-empty list of {model: <registry id>, samples: <n>}");
        } else {
            int i = 0;
            for (JsonNode entry : modelList) {
                i++;
                JsonLinesFields m = new JsonLinesFields(entry, fileName, 0, "models[" + i + "].", problems);
                if (!entry.isObject()) {
                    m.problem("", "must be {model: <registry id>, samples: <n>}");
                    continue;
                }
                m.rejectUnknownFields(Set.of("model", "samples"));
                Optional<String> model = m.requiredString("model");
                int samples = m.optionalPositiveInt("samples", 1);
                model.ifPresent(id -> models.add(new ModelRun(id, samples)));
            }
        }

        List<String> variants = new ArrayList<>();
        JsonNode variantList = root.get("prompt_variants");
        if (variantList == null || variantList.isNull()) {
            variants.add(PromptBuilder.DEFAULT_VARIANT);
        } else if (!variantList.isArray() || variantList.isEmpty()) {
            f.problem("prompt_variants", "must be a non-empty list of variant names (" + String.join(", ", PromptBuilder.variantNames()) + ")");
        } else {
            for (JsonNode v : variantList) {
                if (!v.isTextual() || !PromptBuilder.variantNames().contains(v.asText())) {
                    f.problem("prompt_variants", "unknown variant " + v + " (known: " + String.join(", ", PromptBuilder.variantNames()) + ")");
                } else {
                    variants.add(v.asText());
                }
            }
        }

        JsonLinesFields r = f.child("retry");
        r.rejectUnknownFields(Set.of("max_attempts", "base_delay_ms", "max_delay_ms", "max_rate_limit_waits"));
        Retry retry = new Retry(r.optionalPositiveInt("max_attempts", 4), r.optionalPositiveInt("base_delay_ms", 500),
                r.optionalPositiveInt("max_delay_ms", 30_000), r.optionalPositiveInt("max_rate_limit_waits", 50));
        JsonLinesFields c = f.child("commit");
        c.rejectUnknownFields(Set.of("every_results", "every_seconds"));
        Commit commit = new Commit(c.optionalPositiveInt("every_results", 25), c.optionalPositiveInt("every_seconds", 10));
        Integer concurrency = f.has("concurrency_per_task") ? f.optionalPositiveInt("concurrency_per_task", 1) : null;
        Integer progress = f.has("progress_seconds") ? f.optionalPositiveInt("progress_seconds", 1) : null;
        String lake = f.optionalString("lake").orElse(null);
        Double budget = null;
        JsonNode budgetNode = root.get("budget_usd");
        if (budgetNode != null && !budgetNode.isNull()) {
            if (!budgetNode.isNumber() || budgetNode.asDouble() <= 0) {
                f.problem("budget_usd", "must be a positive number of US dollars (the run's spending limit)");
            } else {
                budget = budgetNode.asDouble();
            }
        }

        if (!problems.isEmpty()) {
            throw new InvalidInputException("run spec " + fileName, problems);
        }
        return new RunSpec(runId.orElseThrow(), registry.orElseThrow(), datasetVersion, models, teams, variants, retry, commit,
                concurrency, progress, budget, lake);
    }

    private static List<TeamRun> parseTeams(JsonNode list, String fileName, JsonLinesFields f, List<ValidationProblem> problems) {
        List<TeamRun> teams = new ArrayList<>();
        if (list == null || list.isNull()) {
            return teams;
        }
        if (!list.isArray()) {
            f.problem("teams", "must be a list of {id, samples, advisor, reviewers: [{role, model}, ...]}");
            return teams;
        }
        Set<String> ids = new java.util.HashSet<>();
        int i = 0;
        for (JsonNode entry : list) {
            i++;
            JsonLinesFields t = new JsonLinesFields(entry, fileName, 0, "teams[" + i + "].", problems);
            if (!entry.isObject()) {
                t.problem("", "must be {id, samples, advisor, reviewers: [{role, model}, ...]}");
                continue;
            }
            t.rejectUnknownFields(Set.of("id", "samples", "advisor", "reviewers"));
            Optional<String> id = t.requiredString("id");
            id.ifPresent(value -> {
                if (!value.matches("[A-Za-z0-9._-]{1,64}")) {
                    t.problem("id", "must match [A-Za-z0-9._-]{1,64}");
                } else if (!ids.add(value)) {
                    t.problem("id", "team '" + value + "' is defined twice");
                }
            });
            int samples = t.optionalPositiveInt("samples", 1);
            Optional<String> advisor = t.requiredString("advisor");
            List<Reviewer> reviewers = new ArrayList<>();
            JsonNode reviewerList = entry.get("reviewers");
            if (reviewerList == null || !reviewerList.isArray() || reviewerList.isEmpty() || reviewerList.size() > 2) {
                t.problem("reviewers", "must list one or two reviewers, each {role: Guardian|Steward, model: <registry id>}");
            } else {
                int j = 0;
                for (JsonNode r : reviewerList) {
                    j++;
                    JsonLinesFields rf = new JsonLinesFields(r, fileName, 0, "teams[" + i + "].reviewers[" + j + "].", problems);
                    rf.rejectUnknownFields(Set.of("role", "model"));
                    Optional<String> role = rf.requiredString("role");
                    Optional<String> model = rf.requiredString("model");
                    Optional<PromptBuilder.ReviewRole> parsedRole = role.flatMap(PromptBuilder.ReviewRole::fromName);
                    if (role.isPresent() && parsedRole.isEmpty()) {
                        rf.problem("role", "unknown role '" + role.get() + "' (Guardian, Steward)");
                    }
                    if (parsedRole.isPresent() && model.isPresent()) {
                        reviewers.add(new Reviewer(parsedRole.get(), model.get()));
                    }
                }
            }
            if (id.isPresent() && advisor.isPresent() && !reviewers.isEmpty()) {
                teams.add(new TeamRun(id.get(), samples, advisor.get(), List.copyOf(reviewers)));
            }
        }
        return teams;
    }
}
