package dev.noharm.generation;

import dev.noharm.benchmark.BenchmarkOption;
import dev.noharm.benchmark.InvalidInputException;
import dev.noharm.benchmark.ValidationProblem;
import dev.noharm.generation.ratelimit.CoordinatorServer;
import dev.noharm.generation.ratelimit.RunBudget;
import dev.noharm.lake.DatasetVersions;
import dev.noharm.lake.Lake;
import dev.noharm.lake.Tables;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.util.SerializableConfiguration;

/**
 * The generation job: plans run x model x case x sample x variant, skips work already completed in the
 * lake, and calls the models from the executors under the driver's cluster-wide rate limits, printing
 * progress as it goes. Everything is checked (spec, registry, keys, dataset version) before any call.
 */
public final class GenerateJob {
    /** Spark setting that makes the first attempt of every task fail after N commits (for testing recovery). */
    public static final String CHAOS_FAIL_AFTER_COMMITS = "spark.noharm.chaos.failFirstAttemptAfterCommits";

    private final Lake lake;
    private final RunSpec spec;
    private final String specFile;
    private final ModelRegistry registry;
    private final Function<String, String> environment;
    private final PrintWriter out;

    public GenerateJob(Lake lake, RunSpec spec, String specFile, ModelRegistry registry, Function<String, String> environment,
            PrintWriter out) {
        this.lake = lake;
        this.spec = spec;
        this.specFile = specFile;
        this.registry = registry;
        this.environment = environment;
        this.out = out;
    }

    public record Result(String runId, String jobId, String datasetVersion, long planned, long alreadyDone, long attempted,
            long ok, long failed, long overBudget) {}

    /** What a run will do before any call: the cases, prompts, stage-1 items and each team's chain slots. */
    private record Plan(String datasetVersion, Map<String, String> caseText, Map<String, List<BenchmarkOption>> optionsByCase,
            Map<String, String> prompts, Map<String, WorkItem> firstStage, Map<String, Map<String, String>> previousKeys) {}

    public Result run() {
        List<ModelSpec> models = resolveModels(true);
        Plan plan = plan();
        String datasetVersion = plan.datasetVersion();
        Map<String, String> caseText = plan.caseText();
        Map<String, List<BenchmarkOption>> optionsByCase = plan.optionsByCase();
        Map<String, String> prompts = plan.prompts();
        Map<String, WorkItem> firstStage = plan.firstStage();
        Map<String, Map<String, String>> previousKeys = plan.previousKeys();

        String jobId = UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        Totals totals = new Totals();
        String driverHost = lake.spark().sparkContext().conf().get("spark.driver.host", "127.0.0.1");
        try (CoordinatorServer coordinator = new CoordinatorServer(driverHost, models, ignored -> { })) {
            if (spec.budgetUsd() != null) {
                // The budget is the run's: what earlier jobs of the same run spent counts.
                Row spent = lake.read(Tables.GENERATIONS).where(functions.col("run_id").equalTo(spec.runId()))
                        .agg(functions.coalesce(functions.sum("cost_usd"), functions.lit(0.0))).first();
                coordinator.budget(new RunBudget(spec.budgetUsd(), spent.getDouble(0)));
                out.printf(java.util.Locale.ROOT, "generate: run %s has a budget of $%.4f; $%.4f spent by earlier jobs%n",
                        spec.runId(), spec.budgetUsd(), spent.getDouble(0));
            }
            JavaSparkContext jsc = JavaSparkContext.fromSparkContext(lake.spark().sparkContext());
            var promptBroadcast = jsc.broadcast(prompts);
            runStage("models", new ArrayList<>(firstStage.values()), 0, datasetVersion, jobId, jobId, models, promptBroadcast, coordinator, totals);
            int longestChain = spec.teams().stream().mapToInt(t -> t.reviewers().size() + 1).max().orElse(1);
            for (int stage = 2; stage <= longestChain; stage++) {
                List<WorkItem> reviews = new ArrayList<>();
                int blocked = planReviews(stage, datasetVersion, caseText, optionsByCase, previousKeys, reviews);
                // Each stage is its own Spark job: its files need names of their own (they are named by job and partition).
                runStage("team stage " + stage, reviews, blocked, datasetVersion, jobId, jobId + "s" + stage, models, promptBroadcast,
                        coordinator, totals);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the rate-limit coordinator", e);
        }
        return new Result(spec.runId(), jobId, datasetVersion, totals.planned, totals.alreadyDone, totals.attempted,
                totals.ok, totals.failed, totals.overBudget);
    }

    /** One line of a dry run: a model's calls in one stage and their upper-bound cost. */
    public record Estimate(String model, String stage, long planned, long alreadyDone, long toCall, long inputTokens,
            long maxOutputTokens, double maxCostUsd) {}

    /**
     * What the run would call, without calling anything or writing anything: per model and stage, the
     * items left to do, their input tokens (prompt characters / 4, as the limiter estimates) and at most
     * {@code max_output_tokens} each, priced from the registry. Review stages count every chain slot not yet
     * done; their prompts are estimated with the previous stage's longest possible answer. Key variables are
     * not required for a dry run.
     */
    public List<Estimate> dryRun() {
        resolveModels(false);
        Plan plan = plan();
        Set<String> completed = completedKeys(plan.datasetVersion(), registry.all());
        Map<String, long[]> stageOne = new LinkedHashMap<>();
        for (WorkItem item : plan.firstStage().values()) {
            long[] counts = stageOne.computeIfAbsent(item.modelId(), k -> new long[3]);
            counts[0]++;
            if (completed.contains(item.workKey())) {
                counts[1]++;
            } else {
                counts[2] += (plan.prompts().get(item.promptKey()).length() + 3) / 4;
            }
        }
        List<Estimate> estimates = new ArrayList<>();
        stageOne.forEach((id, c) -> estimates.add(estimate(registry.find(id).orElseThrow(), "models", c[0], c[1], c[2])));
        for (RunSpec.TeamRun team : spec.teams()) {
            for (int stage = 2; stage <= team.reviewers().size() + 1; stage++) {
                ModelSpec previous = registry.find(team.members().get(stage - 2)).orElseThrow();
                ModelSpec reviewer = registry.find(team.members().get(stage - 1)).orElseThrow();
                long slots = plan.previousKeys().get(team.id()).size();
                long done = Math.min(slots, lake.read(Tables.GENERATIONS).where(functions.col("status").equalTo("ok")
                        .and(functions.col("dataset_version").equalTo(plan.datasetVersion())).and(functions.col("team_id").equalTo(team.id()))
                        .and(functions.col("team_stage").equalTo(stage))).count());
                long perCall = (plan.prompts().values().stream().mapToLong(String::length).max().orElse(0) + 600) / 4
                        + previous.params().maxOutputTokens();
                estimates.add(estimate(reviewer, "team " + team.id() + " stage " + stage, slots, done, (slots - done) * perCall));
            }
        }
        return estimates;
    }

    private static Estimate estimate(ModelSpec model, String stage, long planned, long done, long inputTokens) {
        long toCall = planned - done;
        long maxOutput = toCall * model.params().maxOutputTokens();
        return new Estimate(model.id(), stage, planned, done, toCall, inputTokens, maxOutput, model.price().cost(inputTokens, maxOutput));
    }

    private Plan plan() {
        String datasetVersion = DatasetVersions.resolve(lake, spec.datasetVersion(), specFile, "dataset_version");

        Map<String, List<BenchmarkOption>> optionsByCase = new LinkedHashMap<>();
        Map<String, String> caseText = new LinkedHashMap<>();
        for (Row r : lake.read(Tables.CASES).where(functions.col("dataset_version").equalTo(datasetVersion))
                .orderBy("case_id").collectAsList()) {
            caseText.put(r.getAs("case_id"), r.getAs("text"));
            optionsByCase.put(r.getAs("case_id"), new ArrayList<>());
        }
        for (Row r : lake.read(Tables.OPTIONS).where(functions.col("dataset_version").equalTo(datasetVersion)).collectAsList()) {
            optionsByCase.get(r.<String>getAs("case_id")).add(new BenchmarkOption(r.getAs("case_id"), r.<Integer>getAs("option_no"),
                    r.getAs("category"), r.getAs("text"), r.<Boolean>getAs("escalation"), r.<Boolean>getAs("no_intervention")));
        }

        Map<String, String> prompts = new LinkedHashMap<>();
        for (String caseId : caseText.keySet()) {
            for (String variant : spec.promptVariants()) {
                prompts.put(WorkItem.promptKey(caseId, variant),
                        PromptBuilder.prompt(variant, caseText.get(caseId), optionsByCase.get(caseId)));
            }
        }
        // Stage 1: every solo model, and every team's advisor, which is the same work (same key, paid once).
        Map<String, WorkItem> firstStage = new LinkedHashMap<>();
        for (RunSpec.ModelRun run : spec.models()) {
            addAdvisorItems(firstStage, registry.find(run.model()).orElseThrow(), run.samples(), datasetVersion, caseText.keySet(), prompts);
        }
        Map<String, Map<String, String>> previousKeys = new LinkedHashMap<>();
        for (RunSpec.TeamRun team : spec.teams()) {
            ModelSpec advisor = registry.find(team.advisor()).orElseThrow();
            Map<String, String> keys = new LinkedHashMap<>();
            for (String caseId : caseText.keySet()) {
                for (int sample = 1; sample <= team.samples(); sample++) {
                    for (String variant : spec.promptVariants()) {
                        String hash = PromptBuilder.hash(prompts.get(WorkItem.promptKey(caseId, variant)));
                        WorkItem item = WorkItem.of(datasetVersion, advisor, caseId, sample, variant, hash);
                        firstStage.putIfAbsent(item.workKey(), item);
                        keys.put(chainSlot(caseId, sample, variant), item.workKey());
                    }
                }
            }
            previousKeys.put(team.id(), keys);
        }

        return new Plan(datasetVersion, caseText, optionsByCase, prompts, firstStage, previousKeys);
    }

    private static final class Totals {
        long planned;
        long alreadyDone;
        long attempted;
        long ok;
        long failed;
        long overBudget;
    }

    private static String chainSlot(String caseId, int sample, String variant) {
        return caseId + "\u0000" + sample + "\u0000" + variant;
    }

    private void addAdvisorItems(Map<String, WorkItem> items, ModelSpec model, int samples, String datasetVersion,
            java.util.Collection<String> caseIds, Map<String, String> prompts) {
        for (String caseId : caseIds) {
            for (int sample = 1; sample <= samples; sample++) {
                for (String variant : spec.promptVariants()) {
                    WorkItem item = WorkItem.of(datasetVersion, model, caseId, sample, variant,
                            PromptBuilder.hash(prompts.get(WorkItem.promptKey(caseId, variant))));
                    items.putIfAbsent(item.workKey(), item);
                }
            }
        }
    }

    /**
     * The review items of one stage, from the previous stage's stored answers; an item whose input has no
     * ok answer (its call failed, or was never made) is not planned: it is counted and returned as blocked.
     * Updates {@code previousKeys} to this stage's keys for the next stage.
     */
    private int planReviews(int stage, String datasetVersion, Map<String, String> caseText, Map<String, List<BenchmarkOption>> optionsByCase,
            Map<String, Map<String, String>> previousKeys, List<WorkItem> reviews) {
        Set<String> wanted = new HashSet<>();
        for (RunSpec.TeamRun team : spec.teams()) {
            if (team.reviewers().size() >= stage - 1) {
                wanted.addAll(previousKeys.get(team.id()).values());
            }
        }
        Map<String, Row> answers = okAnswers(datasetVersion, wanted);
        int blocked = 0;
        for (RunSpec.TeamRun team : spec.teams()) {
            if (team.reviewers().size() < stage - 1) {
                continue;
            }
            RunSpec.Reviewer reviewer = team.reviewers().get(stage - 2);
            ModelSpec reviewerModel = registry.find(reviewer.model()).orElseThrow();
            List<ModelSpec> members = team.members().stream().map(m -> registry.find(m).orElseThrow()).toList();
            String displayName = String.join(" + ", members.stream().map(ModelSpec::displayName).toList());
            String providers = String.join(" + ", members.stream().map(m -> m.provider().wireName()).toList());
            Map<String, String> nextKeys = new LinkedHashMap<>();
            for (Map.Entry<String, String> slot : previousKeys.get(team.id()).entrySet()) {
                Row answer = answers.get(slot.getValue());
                if (answer == null) {
                    blocked++;
                    continue;
                }
                String[] parts = slot.getKey().split("\u0000");
                String caseId = parts[0];
                int sample = Integer.parseInt(parts[1]);
                String variant = parts[2];
                String prompt = PromptBuilder.reviewPrompt(reviewer.role(), caseText.get(caseId), optionsByCase.get(caseId),
                        answer.getAs("response_text"));
                Long chainLatency = answer.getAs("chain_latency_ms");
                long latencyBefore = chainLatency != null ? chainLatency : answer.<Long>getAs("latency_ms");
                WorkItem item = WorkItem.review(datasetVersion, reviewerModel, caseId, sample, variant, prompt,
                        new WorkItem.TeamStage(team.id(), stage, team.reviewers().size() + 1, team.condition(), displayName,
                                providers, slot.getValue(), latencyBefore));
                reviews.add(item);
                nextKeys.put(slot.getKey(), item.workKey());
            }
            previousKeys.put(team.id(), nextKeys);
        }
        return blocked;
    }

    /** The earliest ok row of each wanted work key: its answer and latencies. */
    private Map<String, Row> okAnswers(String datasetVersion, Set<String> keys) {
        Map<String, Row> answers = new java.util.HashMap<>();
        if (keys.isEmpty()) {
            return answers;
        }
        var wanted = lake.spark().createDataset(new ArrayList<>(keys), org.apache.spark.sql.Encoders.STRING()).toDF("work_key");
        for (Row r : lake.read(Tables.GENERATIONS)
                .where(functions.col("status").equalTo("ok").and(functions.col("dataset_version").equalTo(datasetVersion)))
                .join(functions.broadcast(wanted), "work_key")
                .select("work_key", "response_text", "latency_ms", "chain_latency_ms", "finished_at")
                .orderBy("finished_at").collectAsList()) {
            answers.putIfAbsent(r.getAs("work_key"), r);
        }
        return answers;
    }

    private void runStage(String label, List<WorkItem> planned, int blocked, String datasetVersion, String jobId, String stageJobId,
            List<ModelSpec> models, org.apache.spark.broadcast.Broadcast<Map<String, String>> prompts,
            CoordinatorServer coordinator, Totals totals) {
        SparkSession spark = lake.spark();
        Set<String> completed = completedKeys(datasetVersion, models);
        List<WorkItem> pending = new ArrayList<>(planned.stream().filter(i -> !completed.contains(i.workKey())).toList());
        long alreadyDone = planned.size() - pending.size();
        totals.planned += planned.size();
        totals.alreadyDone += alreadyDone;
        out.printf("generate: run %s, job %s, dataset %s, %s: %d items planned, %d already done, %d to call%s%n",
                spec.runId(), jobId, datasetVersion, label, planned.size(), alreadyDone, pending.size(),
                blocked > 0 ? ", " + blocked + " not planned because the stage they review has no answer (it failed or was not called)" : "");
        out.flush();
        if (pending.isEmpty()) {
            return;
        }
        if (spark.sparkContext().conf().getBoolean("spark.speculation", false)) {
            throw new IllegalStateException("spark.speculation is on: a speculative copy of a generation task would pay "
                    + "for its calls twice; run generation with --conf spark.speculation=false");
        }
        // Mix models across tasks, so every model's limit is in use from the start.
        Collections.shuffle(pending, new Random(spec.runId().hashCode()));

        GenerationProgress progress = new GenerationProgress(pending.size());
        coordinator.onResult(progress::record);
        String driverHost = spark.sparkContext().conf().get("spark.driver.host", "127.0.0.1");
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "noharm-progress");
            t.setDaemon(true);
            return t;
        });
        try {
            ticker.scheduleAtFixedRate(() -> {
                out.println(progress.line());
                out.flush();
            }, spec.progressSeconds(), spec.progressSeconds(), TimeUnit.SECONDS);
            JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            Map<String, ModelSpec> modelsById = new LinkedHashMap<>();
            models.forEach(m -> modelsById.put(m.id(), m));
            GenerationContext context = new GenerationContext(spec.runId(), stageJobId, datasetVersion, modelsById,
                    prompts, spec.retry(), spec.commit(), spec.concurrencyPerTask(),
                    coordinator.address(driverHost), lake.tablePath(Tables.GENERATIONS).toString(),
                    jsc.broadcast(new SerializableConfiguration(jsc.hadoopConfiguration())),
                    Integer.parseInt(spark.conf().get(CHAOS_FAIL_AFTER_COMMITS, "0")));
            int slices = Math.max(1, Math.min(pending.size(), jsc.defaultParallelism()));
            jsc.setJobDescription("noharm generate: run " + spec.runId() + ", " + label + ", " + pending.size() + " calls");
            GenerationTask task = new GenerationTask(context);
            jsc.parallelize(pending, slices).foreachPartition(task::run);
        } finally {
            ticker.shutdownNow();
        }
        progress.printSummary(out);
        out.flush();
        totals.attempted += pending.size() - progress.overBudget();
        totals.ok += progress.done() - progress.failed() - progress.overBudget();
        totals.failed += progress.failed();
        totals.overBudget += progress.overBudget();
    }

    /** Every model of the spec exists in the registry and has its key, before anything is called. */
    private List<ModelSpec> resolveModels(boolean needKeys) {
        List<ValidationProblem> problems = new ArrayList<>();
        List<ModelSpec> models = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        int i = 0;
        for (RunSpec.ModelRun run : spec.models()) {
            i++;
            String field = "models[" + i + "].model";
            var model = registry.find(run.model());
            if (model.isEmpty()) {
                problems.add(new ValidationProblem(specFile, 0, field, "no model '" + run.model() + "' in the registry "
                        + spec.registry() + " (has: " + String.join(", ", registry.all().stream().map(ModelSpec::id).toList()) + ")"));
                continue;
            }
            if (!seen.add(run.model())) {
                problems.add(new ValidationProblem(specFile, 0, field, "model '" + run.model() + "' is listed twice"));
                continue;
            }
            if (needKeys) {
                checkKey(model.get(), run.model(), problems);
            }
            models.add(model.get());
        }
        int t = 0;
        for (RunSpec.TeamRun team : spec.teams()) {
            t++;
            int m = 0;
            for (String member : team.members()) {
                m++;
                String field = "teams[" + t + "]." + (m == 1 ? "advisor" : "reviewers[" + (m - 1) + "].model");
                var model = registry.find(member);
                if (model.isEmpty()) {
                    problems.add(new ValidationProblem(specFile, 0, field, "no model '" + member + "' in the registry "
                            + spec.registry() + " (has: " + String.join(", ", registry.all().stream().map(ModelSpec::id).toList()) + ")"));
                } else if (seen.add(member)) {
                    if (needKeys) {
                        checkKey(model.get(), member, problems);
                    }
                    models.add(model.get());
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidInputException("run spec " + specFile, problems);
        }
        return models;
    }

    /** Every key is looked for before any call (on the driver), so a missing one stops the run, not its tasks. */
    private void checkKey(ModelSpec model, String id, List<ValidationProblem> problems) {
        ApiKeyRef ref = model.apiKey();
        if (ref == null) {
            return;
        }
        String problem;
        try {
            String key = ApiKeys.resolve(ref, environment);
            problem = key == null || key.isBlank() ? ref.describe() + " is not set (it must hold the model's API key)" : null;
        } catch (RuntimeException e) {
            problem = e.getMessage();
        }
        if (problem != null) {
            problems.add(new ValidationProblem(spec.registry(), 0, "model '" + id + "': " + ref.source().field(), problem));
        }
    }

    private Set<String> completedKeys(String datasetVersion, List<ModelSpec> models) {
        List<String> ids = models.stream().map(ModelSpec::id).toList();
        return new HashSet<>(lake.read(Tables.GENERATIONS)
                .where(functions.col("status").equalTo("ok")
                        .and(functions.col("dataset_version").equalTo(datasetVersion))
                        .and(functions.col("model_id").isin(ids.toArray())))
                .select("work_key").distinct().collectAsList().stream().map(r -> r.getString(0)).toList());
    }
}
