package dev.noharm.generation;

import dev.noharm.benchmark.BenchmarkOption;
import dev.noharm.benchmark.InvalidInputException;
import dev.noharm.benchmark.ValidationProblem;
import dev.noharm.generation.ratelimit.CoordinatorServer;
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
            long ok, long failed) {}

    public Result run() {
        SparkSession spark = lake.spark();
        List<ModelSpec> models = resolveModels();
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
        List<WorkItem> planned = new ArrayList<>();
        for (RunSpec.ModelRun run : spec.models()) {
            ModelSpec model = registry.find(run.model()).orElseThrow();
            for (String caseId : caseText.keySet()) {
                for (int sample = 1; sample <= run.samples(); sample++) {
                    for (String variant : spec.promptVariants()) {
                        String prompt = prompts.get(WorkItem.promptKey(caseId, variant));
                        planned.add(WorkItem.of(datasetVersion, model, caseId, sample, variant, PromptBuilder.hash(prompt)));
                    }
                }
            }
        }

        Set<String> completed = completedKeys(datasetVersion, models);
        List<WorkItem> pending = new ArrayList<>(planned.stream().filter(i -> !completed.contains(i.workKey())).toList());
        long alreadyDone = planned.size() - pending.size();
        String jobId = UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        out.printf("generate: run %s, job %s, dataset %s: %d items planned, %d already done, %d to call%n",
                spec.runId(), jobId, datasetVersion, planned.size(), alreadyDone, pending.size());
        out.flush();
        if (pending.isEmpty()) {
            return new Result(spec.runId(), jobId, datasetVersion, planned.size(), alreadyDone, 0, 0, 0);
        }
        if (spark.sparkContext().conf().getBoolean("spark.speculation", false)) {
            throw new IllegalStateException("spark.speculation is on: a speculative copy of a generation task would pay "
                    + "for its calls twice; run generation with --conf spark.speculation=false");
        }
        // Mix models across tasks, so every model's limit is in use from the start.
        Collections.shuffle(pending, new Random(spec.runId().hashCode()));

        GenerationProgress progress = new GenerationProgress(pending.size());
        String driverHost = spark.sparkContext().conf().get("spark.driver.host", "127.0.0.1");
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "noharm-progress");
            t.setDaemon(true);
            return t;
        });
        try (CoordinatorServer coordinator = new CoordinatorServer(driverHost, models, progress::record)) {
            ticker.scheduleAtFixedRate(() -> {
                out.println(progress.line());
                out.flush();
            }, spec.progressSeconds(), spec.progressSeconds(), TimeUnit.SECONDS);
            JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            Map<String, ModelSpec> modelsById = new LinkedHashMap<>();
            models.forEach(m -> modelsById.put(m.id(), m));
            GenerationContext context = new GenerationContext(spec.runId(), jobId, datasetVersion, modelsById,
                    jsc.broadcast(prompts), spec.retry(), spec.commit(), spec.concurrencyPerTask(),
                    coordinator.address(driverHost), lake.tablePath(Tables.GENERATIONS).toString(),
                    jsc.broadcast(new SerializableConfiguration(jsc.hadoopConfiguration())),
                    Integer.parseInt(spark.conf().get(CHAOS_FAIL_AFTER_COMMITS, "0")));
            int slices = Math.max(1, Math.min(pending.size(), jsc.defaultParallelism()));
            jsc.setJobDescription("noharm generate: run " + spec.runId() + ", " + pending.size() + " calls");
            GenerationTask task = new GenerationTask(context);
            jsc.parallelize(pending, slices).foreachPartition(task::run);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the rate-limit coordinator", e);
        } finally {
            ticker.shutdownNow();
        }
        progress.printSummary(out);
        out.flush();
        return new Result(spec.runId(), jobId, datasetVersion, planned.size(), alreadyDone, pending.size(),
                progress.done() - progress.failed(), progress.failed());
    }

    /** Every model of the spec exists in the registry and has its key, before anything is called. */
    private List<ModelSpec> resolveModels() {
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
            String keyVariable = model.get().apiKeyEnv();
            if (keyVariable != null) {
                String key = environment.apply(keyVariable);
                if (key == null || key.isBlank()) {
                    problems.add(new ValidationProblem(spec.registry(), 0, "model '" + run.model() + "': api_key_env",
                            "environment variable " + keyVariable + " is not set (it must hold the model's API key)"));
                }
            }
            models.add(model.get());
        }
        if (!problems.isEmpty()) {
            throw new InvalidInputException("run spec " + specFile, problems);
        }
        return models;
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
