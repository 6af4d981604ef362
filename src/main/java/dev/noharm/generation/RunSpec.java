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
 * A run specification ({@code jobs/*.yaml}): which models to evaluate, how many samples of each, on which task
 * (options or free text, per model), with which prompt variants, which judges map free-text plans back onto the
 * options, on which dataset version, and how to call them. Validated whole, like the registry.
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
        java.util.Map<String, PromptBuilder.Variant> variants,
        List<String> judges,
        dev.noharm.judging.Jury.Rule juryRule,
        Retry retry,
        Commit commit,
        Integer concurrencyPerTask,
        Integer progressSeconds,
        Double budgetUsd,
        String lake,
        java.util.Map<String, CallMode> callModes,
        Batch batch) implements Serializable {

    /**
     * The spec's {@code batch} settings for models with {@code mode: batch}: how often to poll the providers
     * ({@code poll_seconds}) and whether the job waits for the batches' results ({@code wait}; off: it submits, stores
     * what has ended and returns, and a later run collects the rest). Null fields: not given.
     */
    public record Batch(Integer pollSeconds, Boolean waitForResults) implements Serializable {
        public static final Batch NONE = new Batch(null, null);
    }

    /**
     * How calls to {@code modelId} leave the pipeline: the {@code mode} of its model or judge entries (realtime unless one
     * says batch), for all its calls, its reviews in a team included.
     */
    public CallMode callMode(String modelId) {
        return callModes.getOrDefault(modelId, CallMode.REALTIME);
    }

    /** Samples (trials) of one registry model on a task, under each of its prompt variants (names of {@link #variants}). */
    public record ModelRun(String model, int samples, Task task, List<String> promptVariants) implements Serializable {
        public ModelRun {
            promptVariants = List.copyOf(promptVariants);
        }

        /** The options task under the standard prompt. */
        public ModelRun(String model, int samples) {
            this(model, samples, Task.OPTIONS, List.of(PromptBuilder.DEFAULT_VARIANT));
        }
    }

    public RunSpec {
        variants = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(variants));
        judges = List.copyOf(judges);
        callModes = java.util.Map.copyOf(callModes);
    }

    /** Every variant any model or team of the run is asked under. */
    public PromptBuilder.Variant variant(String name) {
        PromptBuilder.Variant variant = variants.get(name);
        if (variant == null) {
            throw new IllegalArgumentException("variant '" + name + "' is not among the run's variants");
        }
        return variant;
    }

    /** Whether any model writes free-text plans (which the judges then map onto the options). */
    public boolean hasFreeText() {
        return models.stream().anyMatch(m -> m.task() == Task.FREE_TEXT);
    }

    /** An entry's {@code mode}; every entry of one model must agree, since its calls share one lease, limiter and ledger. */
    private static void callMode(JsonLinesFields entry, String modelId, java.util.Map<String, CallMode> callModes) {
        CallMode mode = entry.has("mode") ? entry.requiredEnum("mode", CallMode::fromWireName, CallMode.names()).orElse(CallMode.REALTIME)
                : CallMode.REALTIME;
        CallMode earlier = callModes.putIfAbsent(modelId, mode);
        if (earlier != null && earlier != mode) {
            entry.problem("mode", "model " + modelId + " is " + earlier.wireName() + " in another entry; give all its entries one mode");
        }
    }

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

    private static final Set<String> FIELDS = Set.of("run_id", "registry", "dataset_version", "task", "models", "teams",
            "prompt_variants", "prompt_file", "judges", "jury_rule", "retry", "commit", "concurrency_per_task", "progress_seconds",
            "budget_usd", "lake", "batch");


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

        Task task = f.has("task") ? f.requiredEnum("task", Task::fromSpec, Task.specNames()).orElse(Task.OPTIONS) : Task.OPTIONS;
        java.util.Map<String, PromptBuilder.Variant> variants = new java.util.LinkedHashMap<>();
        List<String> specVariants = variants(f, task, variants);
        java.util.Map<String, CallMode> callModes = new java.util.LinkedHashMap<>();

        List<ModelRun> models = new ArrayList<>();
        JsonNode modelList = root.get("models");
        List<TeamRun> teams = parseTeams(root.get("teams"), fileName, f, problems);
        if (!teams.isEmpty() && task != Task.OPTIONS) {
            f.problem("teams", "teams review graded options, so they need task: options (give free-text models task: free_text in their own entries)");
        }
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
                m.rejectUnknownFields(Set.of("model", "samples", "task", "prompt_variants", "prompt_file", "mode"));
                Optional<String> model = m.requiredString("model");
                model.ifPresent(id -> callMode(m, id, callModes));
                int samples = m.optionalPositiveInt("samples", 1);
                Task entryTask = m.has("task") ? m.requiredEnum("task", Task::fromSpec, Task.specNames()).orElse(task) : task;
                List<String> entryVariants = m.has("prompt_variants") || m.has("prompt_file") ? variants(m, entryTask, variants)
                        : entryTask == task ? specVariants : variants(m, entryTask, variants);
                model.ifPresent(id -> models.add(new ModelRun(id, samples, entryTask, entryVariants)));
            }
        }

        List<String> judges = new ArrayList<>();
        JsonNode judgeList = root.get("judges");
        if (judgeList != null && !judgeList.isNull()) {
            if (!judgeList.isArray() || judgeList.isEmpty()) {
                f.problem("judges", "must be a non-empty list of {model: <registry id>}");
            } else {
                int i = 0;
                for (JsonNode entry : judgeList) {
                    i++;
                    JsonLinesFields j = new JsonLinesFields(entry, fileName, 0, "judges[" + i + "].", problems);
                    if (!entry.isObject()) {
                        j.problem("", "must be {model: <registry id>}");
                        continue;
                    }
                    j.rejectUnknownFields(Set.of("model", "mode"));
                    j.requiredString("model").ifPresent(id -> {
                        callMode(j, id, callModes);
                        if (judges.contains(id)) {
                            j.problem("model", "judge '" + id + "' is listed twice");
                        } else {
                            judges.add(id);
                        }
                    });
                }
                if (models.stream().noneMatch(m -> m.task() == Task.FREE_TEXT)) {
                    f.problem("judges", "judges map free-text plans onto the options, but no model has task: free_text");
                }
            }
        }
        dev.noharm.judging.Jury.Rule juryRule = f.has("jury_rule")
                ? f.requiredEnum("jury_rule", dev.noharm.judging.Jury.Rule::fromWireName, dev.noharm.judging.Jury.Rule.names())
                        .orElse(dev.noharm.judging.Jury.Rule.MAJORITY)
                : dev.noharm.judging.Jury.Rule.MAJORITY;

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

        JsonLinesFields b = f.child("batch");
        b.rejectUnknownFields(Set.of("poll_seconds", "wait"));
        Integer pollSeconds = b.has("poll_seconds") ? b.optionalPositiveInt("poll_seconds", 60) : null;
        Boolean waitForResults = null;
        if (b.has("wait")) {
            if (!b.node().path("wait").isBoolean()) {
                b.problem("wait", "must be true (the job waits for its batches) or false (it submits them and a later run collects)");
            } else {
                waitForResults = b.node().path("wait").asBoolean();
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidInputException("run spec " + fileName, problems);
        }
        return new RunSpec(runId.orElseThrow(), registry.orElseThrow(), datasetVersion, models, teams, specVariants, variants, judges,
                juryRule, retry, commit, concurrency, progress, budget, lake, callModes, new Batch(pollSeconds, waitForResults));
    }

    /**
     * The variants of one level of the spec (the spec itself or one model entry) for its task: {@code prompt_file} (a
     * user's instruction, read whole) or {@code prompt_variants} (built-in names of that task), not both; neither: the
     * task's default. Each is added to {@code all}.
     */
    private static List<String> variants(JsonLinesFields f, Task task, java.util.Map<String, PromptBuilder.Variant> all) {
        List<String> names = new ArrayList<>();
        JsonNode list = f.node().get("prompt_variants");
        boolean hasList = list != null && !list.isNull();
        Optional<String> file = f.optionalString("prompt_file");
        if (hasList && file.isPresent()) {
            f.problem("prompt_file", "give either prompt_file or prompt_variants, not both");
            return names;
        }
        String known = String.join(", ", PromptBuilder.variantNames(task));
        if (file.isPresent()) {
            String instruction;
            try {
                instruction = dev.noharm.validation.ConfigFiles.read(file.get()).strip();
            } catch (InvalidInputException e) {
                f.problem("prompt_file", e.problems().get(0).message() + ": " + file.get());
                return names;
            }
            if (instruction.isEmpty()) {
                f.problem("prompt_file", file.get() + " is empty (for the case alone, use prompt_variants: [case-only])");
                return names;
            }
            PromptBuilder.Variant variant = PromptBuilder.Variant.custom(task, instruction);
            all.put(variant.name(), variant);
            names.add(variant.name());
        } else if (!hasList) {
            String name = PromptBuilder.defaultVariant(task);
            all.put(name, PromptBuilder.builtIn(name).orElseThrow());
            names.add(name);
        } else if (!list.isArray() || list.isEmpty()) {
            f.problem("prompt_variants", "must be a non-empty list of variant names (" + known + ")");
        } else {
            for (JsonNode v : list) {
                Optional<PromptBuilder.Variant> variant = v.isTextual() ? PromptBuilder.builtIn(v.asText()) : Optional.empty();
                if (variant.isEmpty() || variant.get().task() != task) {
                    f.problem("prompt_variants", "unknown variant " + v + " for task " + task.wireName() + " (known: " + known + ")");
                } else if (!names.contains(v.asText())) {
                    all.put(v.asText(), variant.get());
                    names.add(v.asText());
                }
            }
        }
        return names;
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
