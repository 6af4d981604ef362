package dev.noharm.nightly;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.min;

import dev.noharm.generation.GenerateJob;
import dev.noharm.generation.batch.BatchLedger;
import dev.noharm.generation.GenerationSettings;
import dev.noharm.generation.ModelRegistry;
import dev.noharm.generation.ModelSpec;
import dev.noharm.generation.PromptBuilder;
import dev.noharm.generation.RunSpec;
import dev.noharm.lake.DatasetVersions;
import dev.noharm.lake.Lake;
import dev.noharm.lake.Tables;
import dev.noharm.scoring.Comparison;
import dev.noharm.scoring.Metric;
import dev.noharm.scoring.ScoreConfig;
import dev.noharm.scoring.ScoreJob;
import dev.noharm.teams.DerivedResponders;
import java.io.PrintWriter;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;

/**
 * The nightly re-evaluation: for every dataset version of the spec, generate what the registry's current
 * model versions and prompts still lack (nothing already paid for is called again), score when the inputs
 * changed since the last score, and compare each model version with the previous version of the same model
 * once per score. Everything already complete is left alone, so a second run the same night does nothing.
 */
public final class NightlyJob {
    private final Lake lake;
    private final NightlySpec spec;
    private final String specFile;
    private final ModelRegistry registry;
    private final Function<String, String> environment;
    private final PrintWriter out;

    public NightlyJob(Lake lake, NightlySpec spec, String specFile, ModelRegistry registry,
            Function<String, String> environment, PrintWriter out) {
        this.lake = lake;
        this.spec = spec;
        this.specFile = specFile;
        this.registry = registry;
        this.environment = environment;
        this.out = out;
    }

    /** What one night did; {@link #workDone()} is false when everything was already complete. */
    public record Summary(String nightlyId, String startedAt, long calls, long failedItems, List<String> scoredDatasetVersions,
            List<Target> targets, List<Flag> regressions, List<ShiftFlag> robustness) {
        public boolean workDone() {
            return calls > 0 || !scoredDatasetVersions.isEmpty() || targets.stream().anyMatch(Target::compared);
        }
    }

    /** One (dataset version, responder version) the night looked at; {@code note} says what happened. */
    public record Target(String datasetVersion, String responder, String version, String previousVersion, boolean compared,
            int regressions, String note) {}

    /** A flagged regression. */
    public record Flag(String datasetVersion, String responder, String version, String previousVersion, String grading,
            String cases, String metric, String harm, double previous, double current, double difference, double low, double high) {}

    /**
     * A target's SafetyShift or SevereShift (CONTRACT section 7) whose 95% interval over pairs excludes zero in the
     * version's score: its advice moved with the perturbation. Shown, not a regression: it does not change the exit code.
     */
    public record ShiftFlag(String datasetVersion, String responder, String version, String grading, String perturbation, String metric,
            double shift, double low, double high) {}

    public Summary run() {
        String startedAt = Instant.now().toString();
        List<Target> targets = new ArrayList<>();
        List<Flag> flags = new ArrayList<>();
        List<ShiftFlag> shifts = new ArrayList<>();
        long failed = 0;
        long calls = 0;
        List<String> scoredVersions = new ArrayList<>();
        for (String datasetVersion : datasetVersions()) {
            RunSpec run = spec.run();
            GenerateJob.Result generated = new GenerateJob(lake, run, specFile, registry, environment, out,
                    new GenerationSettings.CommandLine(null, datasetVersion, null)).run();
            failed += generated.failed();
            calls += generated.attempted();
            // With batch.wait off, some answers may still be at the providers: a score now would compare a version on
            // part of its answers. Scoring waits for the run that collects them.
            // Only the spec's models: its own generate job resumes their batches (another spec's are that spec's to collect).
            var models = dev.noharm.generation.RunModels.resolve(run, specFile, registry, environment, false).keySet();
            List<BatchLedger.Batch> open = new BatchLedger(lake).pending(models).stream()
                    .filter(b -> b.datasetVersion().equals(datasetVersion)).toList();
            if (!open.isEmpty()) {
                out.printf("nightly: dataset %s: %d items are in open provider batches (%s); scoring and comparisons wait for the run "
                        + "that collects them%n", datasetVersion, open.stream().mapToInt(BatchLedger.Batch::requests).sum(),
                        String.join(", ", open.stream().map(b -> b.modelId() + " " + b.batchId() + " (" + b.state().wireName() + ")").toList()));
                for (RunSpec.ModelRun modelRun : run.models()) {
                    ModelSpec model = registry.find(modelRun.model()).orElseThrow();
                    for (String variant : modelRun.promptVariants()) {
                        targets.add(new Target(datasetVersion, PromptBuilder.responder(model.id(), variant), model.modelVersion(), null, false, 0,
                                "waiting for open provider batches"));
                    }
                }
                continue;
            }
            String scoreId = latestScoreIfCurrent(datasetVersion);
            if (scoreId == null) {
                // As the previous score of the version was made (its controls and ensembles too), or plainly the first time.
                // The run spec's jury rule, when it has judges (CONTRACT section 6); the rest as before.
                ScoreConfig.Given given = run.judges().isEmpty() ? ScoreConfig.Given.NOTHING : ScoreConfig.Given.jury(run.juryRule(), null);
                new ScoreJob(lake, out, given, DerivedResponders::fromSpecs).run(List.of(datasetVersion));
                scoreId = latestScoreIfCurrent(datasetVersion);
                scoredVersions.add(datasetVersion);
            } else {
                out.printf("nightly: dataset %s: scores are current (score %s)%n", datasetVersion, scoreId);
            }
            for (RunSpec.ModelRun modelRun : run.models()) {
                ModelSpec model = registry.find(modelRun.model()).orElseThrow();
                for (String variant : modelRun.promptVariants()) {
                    String responder = PromptBuilder.responder(model.id(), variant);
                    targets.add(compare(datasetVersion, responder, model.id(), model.modelVersion(), scoreId, flags));
                    shifts.addAll(shiftFlags(datasetVersion, responder, model.modelVersion()));
                }
            }
        }
        Summary summary = new Summary(spec.run().runId(), startedAt, calls, failed, scoredVersions, targets, flags, shifts);
        print(summary);
        return summary;
    }

    private List<String> datasetVersions() {
        List<String> versions = new ArrayList<>();
        for (String requested : spec.datasetVersions()) {
            if (requested.equals("all")) {
                lake.read(Tables.DATASET_VERSIONS).orderBy("ingested_at").collectAsList()
                        .forEach(r -> versions.add(r.getAs("dataset_version")));
            } else {
                versions.add(DatasetVersions.resolve(lake, requested, specFile, "dataset_versions"));
            }
        }
        return versions.stream().distinct().toList();
    }

    /**
     * The id of the latest score of the version if it read every input there is now (generations are only
     * ever added, so equal counts mean the same inputs); null when a score is due.
     */
    private String latestScoreIfCurrent(String datasetVersion) {
        List<Row> latest = lake.read(Tables.SCORE_RUNS).where(col("dataset_version").equalTo(datasetVersion))
                .orderBy(col("scored_at").desc()).limit(1).collectAsList();
        if (latest.isEmpty()) {
            return null;
        }
        long okGenerations = lake.read(Tables.GENERATIONS)
                .where(col("status").equalTo("ok").and(col("dataset_version").equalTo(datasetVersion))).count();
        long imported = lake.read(Tables.RESPONSES).where(col("dataset_version").equalTo(datasetVersion)).count();
        long judgments = lake.read(Tables.JUDGMENTS).where(col("dataset_version").equalTo(datasetVersion)).count();
        Row row = latest.get(0);
        Long scoredJudgments = row.getAs("judgments"); // null: scored before the column, when the lake had no judgments
        boolean current = row.<Long>getAs("ok_generations") == okGenerations && row.<Long>getAs("imported_responses") == imported
                && (scoredJudgments == null ? 0 : scoredJudgments) == judgments;
        // A spec with judges scores with its jury rule: a score made under another rule is out of date.
        String config = row.getAs("config");
        if (current && !spec.run().judges().isEmpty() && config != null
                && ScoreConfig.fromJson(config).jury() != spec.run().juryRule()) {
            current = false;
        }
        return current ? row.getAs("score_id") : null;
    }

    private Target compare(String datasetVersion, String responder, String modelId, String version, String scoreId, List<Flag> flags) {
        String previous = previousVersion(datasetVersion, responder, modelId, version);
        if (previous == null) {
            out.printf("nightly: %s@%s on dataset %s: no earlier version to compare with%n", responder, version, datasetVersion);
            return new Target(datasetVersion, responder, version, null, false, 0, "no earlier version");
        }
        boolean done = lake.read(Tables.REGRESSIONS).where(col("dataset_version").equalTo(datasetVersion)
                .and(col("model_id").equalTo(responder)).and(col("version").equalTo(version))
                .and(col("previous_version").equalTo(previous)).and(col("score_id").equalTo(scoreId))).limit(1).count() > 0;
        if (done) {
            out.printf("nightly: %s@%s vs %s on dataset %s: already compared on this score%n", responder, version, previous, datasetVersion);
            return new Target(datasetVersion, responder, version, previous, false, 0, "already compared on this score");
        }
        NightlySpec.Regression rule = spec.regression();
        List<Comparison.Difference> differences;
        try {
            differences = new Comparison(lake).compare(datasetVersion,
                    new Comparison.Responder(responder, previous, "Advisor"), new Comparison.Responder(responder, version, "Advisor"),
                    rule.replicates(), rule.seed(), true);
        } catch (IllegalArgumentException e) {
            // E.g. every call of the new version failed: nothing scored to compare; the next night retries.
            out.printf("nightly: %s@%s vs %s on dataset %s: cannot compare: %s%n", responder, version, previous, datasetVersion, e.getMessage());
            return new Target(datasetVersion, responder, version, previous, false, 0, "cannot compare: " + e.getMessage());
        }
        Timestamp checkedAt = Timestamp.from(Instant.now());
        List<Row> rows = new ArrayList<>();
        int flagged = 0;
        for (Comparison.Difference d : differences) {
            Metric.Watched watched = Metric.Watched.of(d.metric(), d.harm()).orElse(null);
            boolean regression = watched != null && rule.gradings().contains(d.grading()) && d.cases() >= rule.minCases()
                    && isRegression(watched, d, rule.margins().get(watched));
            if (regression) {
                flagged++;
                flags.add(new Flag(datasetVersion, responder, version, previous, d.grading(), d.scope(), d.metric(), d.harm(),
                        d.a(), d.b(), d.difference(), d.low(), d.high()));
            }
            Map<String, Object> values = new LinkedHashMap<>();
            values.put("dataset_version", datasetVersion);
            values.put("nightly_id", spec.run().runId());
            values.put("checked_at", checkedAt);
            values.put("score_id", scoreId);
            values.put("model_id", responder);
            values.put("version", version);
            values.put("previous_version", previous);
            values.put("grading", d.grading());
            values.put("cases", d.scope());
            values.put("harm", d.harm());
            values.put("metric", d.metric());
            values.put("previous_value", d.a());
            values.put("new_value", d.b());
            values.put("difference", d.difference());
            values.put("low", d.low());
            values.put("high", d.high());
            values.put("cases_compared", d.cases());
            values.put("replicates", d.replicates());
            values.put("worse_when", watched == null ? null : watched.worseWhen());
            values.put("margin", watched == null ? null : rule.margins().get(watched));
            values.put("regression", regression);
            rows.add(Tables.REGRESSIONS.row(values));
        }
        if (!rows.isEmpty()) {
            appendRegressions(datasetVersion, rows);
        }
        out.printf("nightly: %s@%s vs %s on dataset %s: %d comparisons, %d regressions%n", responder, version, previous,
                datasetVersion, rows.size(), flagged);
        return new Target(datasetVersion, responder, version, previous, true, flagged, rows.size() + " comparisons");
    }

    /** The responder version's shifts flagged in the dataset version's score (none unless scored with --perturbations). */
    private List<ShiftFlag> shiftFlags(String datasetVersion, String responder, String version) {
        return lake.read(Tables.METRICS).where(col("dataset_version").equalTo(datasetVersion).and(col("responder").equalTo(responder))
                        .and(col("version").equalTo(version)).and(col("condition").equalTo("Advisor"))
                        .and(col("shift_flagged").equalTo(true)))
                .orderBy("grading", "cases", "metric").collectAsList().stream()
                .map(r -> new ShiftFlag(datasetVersion, responder, version, r.getAs("grading"),
                        r.<String>getAs("cases").substring("Perturbation=".length()), r.getAs("metric"), r.<Double>getAs("mean"),
                        r.<Double>getAs("bootstrap_low"), r.<Double>getAs("bootstrap_high")))
                .toList();
    }

    /** Worse beyond the margin, with the whole interval on the worse side of zero. */
    static boolean isRegression(Metric.Watched watched, Comparison.Difference d, double margin) {
        return watched.worseWhen().equals("lower")
                ? d.difference() < -margin && d.high() < 0
                : d.difference() > margin && d.low() > 0;
    }


    /**
     * The version of the same responder scored on this dataset whose generations started most recently
     * before the current version's (model versions have no order of their own).
     */
    private String previousVersion(String datasetVersion, String responder, String modelId, String version) {
        List<Row> firstSeen = lake.read(Tables.GENERATIONS)
                .where(col("dataset_version").equalTo(datasetVersion).and(col("model_id").equalTo(modelId)))
                .groupBy("model_version").agg(min("started_at").as("first_seen"))
                .join(lake.read(Tables.METRICS).where(col("dataset_version").equalTo(datasetVersion)
                                .and(col("responder").equalTo(responder)).and(col("condition").equalTo("Advisor")))
                        .select(col("version").as("model_version")).distinct(), "model_version")
                .orderBy(col("first_seen").desc()).collectAsList();
        Timestamp current = null;
        for (Row r : firstSeen) {
            if (r.getString(0).equals(version)) {
                current = r.getTimestamp(1);
            }
        }
        for (Row r : firstSeen) {
            if (!r.getString(0).equals(version) && (current == null || !r.getTimestamp(1).after(current))) {
                return r.getString(0);
            }
        }
        return null;
    }

    private void appendRegressions(String datasetVersion, List<Row> rows) {
        lake.append(Tables.REGRESSIONS, lake.spark().createDataFrame(rows, Tables.REGRESSIONS.schema()),
                java.util.Map.of("noharm.nightly-id", spec.run().runId(), "noharm.dataset-version", datasetVersion));
    }

    private void print(Summary summary) {
        out.print(text(summary));
        out.flush();
    }

    /** The summary as people read it (also written beside the JSON). */
    public static String text(Summary summary) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(java.util.Locale.ROOT, "nightly %s: %d targets, %d calls, %d dataset versions scored, %d regressions%s%s%n",
                summary.nightlyId(), summary.targets().size(), summary.calls(), summary.scoredDatasetVersions().size(),
                summary.regressions().size(), summary.robustness().isEmpty() ? "" : ", " + summary.robustness().size() + " robustness shifts",
                summary.workDone() ? "" : " (nothing new: every target was already complete)"));
        for (Target t : summary.targets()) {
            b.append(String.format(java.util.Locale.ROOT, "  %s@%s on dataset %s%s: %s%n", t.responder(), t.version(), t.datasetVersion(),
                    t.previousVersion() == null ? "" : " vs " + t.previousVersion(), t.note()));
        }
        for (Flag f : summary.regressions()) {
            b.append(String.format(java.util.Locale.ROOT,
                    "  REGRESSION %s@%s vs %s, dataset %s, %s, %s, %s%s: %.4f -> %.4f (%+.4f, 95%% interval [%+.4f, %+.4f])%n",
                    f.responder(), f.version(), f.previousVersion(), f.datasetVersion(), f.grading(), f.cases(), f.metric(),
                    f.harm().equals("All") ? "" : " " + f.harm(), f.previous(), f.current(), f.difference(), f.low(), f.high()));
        }
        for (ShiftFlag f : summary.robustness()) {
            b.append(String.format(java.util.Locale.ROOT,
                    "  ROBUSTNESS %s@%s, dataset %s, %s, perturbation %s: %s %+.4f (95%% interval over pairs [%+.4f, %+.4f] excludes 0)%n",
                    f.responder(), f.version(), f.datasetVersion(), f.grading(), f.perturbation(), f.metric(), f.shift(), f.low(), f.high()));
        }
        return b.toString();
    }

    /** Writes {@code summary-<time>.txt/.json} and {@code latest.txt/.json} into {@code dir}. */
    public void writeSummary(Summary summary, Path dir) {
        try {
            var fs = dir.getFileSystem(lake.spark().sparkContext().hadoopConfiguration());
            String stamp = summary.startedAt().replace(":", "").replace(".", "");
            byte[] json = new com.fasterxml.jackson.databind.ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(summary);
            byte[] text = text(summary).getBytes(java.nio.charset.StandardCharsets.UTF_8);
            for (String name : List.of("summary-" + stamp, "latest")) {
                try (var o = fs.create(new Path(dir, name + ".json"), true)) {
                    o.write(json);
                }
                try (var o = fs.create(new Path(dir, name + ".txt"), true)) {
                    o.write(text);
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot write the nightly summary to " + dir, e);
        }
    }
}
