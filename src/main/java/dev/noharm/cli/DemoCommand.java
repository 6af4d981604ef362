package dev.noharm.cli;

import dev.noharm.benchmark.BenchmarkReader;
import dev.noharm.benchmark.BenchmarkSource;
import dev.noharm.benchmark.IngestBenchmark;
import dev.noharm.generation.GenerateJob;
import dev.noharm.generation.ModelRegistry;
import dev.noharm.generation.RunSpec;
import dev.noharm.lake.Lake;
import dev.noharm.lake.SparkSessions;
import dev.noharm.scoring.HarmWeights;
import dev.noharm.scoring.LeaderboardExport;
import dev.noharm.scoring.ScoreConfig;
import dev.noharm.scoring.ScoreJob;
import dev.noharm.simulator.EndpointSimulator;
import dev.noharm.simulator.SimulatorConfig;
import dev.noharm.teams.Controls;
import dev.noharm.teams.DerivedResponders;
import dev.noharm.teams.Ensembles;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Row;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {
            "The whole pipeline with no API keys: ingest the bundled synthetic sample (with perturbed variants), start the endpoint simulator",
            "in-process, generate for several simulated models and two teams (a 2-agent and a 3-agent chain) with several",
            "samples each, score them with both controls and a post-hoc ensemble, export the leaderboard and write the HTML report.",
            "Simulated models are not real models; their results say nothing about any real model."})
final class DemoCommand extends LakeCommand {

    @Option(names = "--spec", paramLabel = "FILE", defaultValue = "jobs/demo.yaml", description = "Run spec. Default: ${DEFAULT-VALUE}.")
    String specFile;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = out();
        RunSpec spec = RunSpec.load(specFile);
        var spark = SparkSessions.getOrCreate("noharm demo");
        Lake target = new Lake(spark, GenerateCommand.lakeUri(command, lake, spec, spark));

        // The sample with its perturbed variants, so the score shows robustness (CONTRACT section 7) too.
        BenchmarkSource sample = BenchmarkSource.bundledSampleWithVariants();
        IngestBenchmark.Result ingested = new IngestBenchmark(target).ingest(sample);
        out.printf("demo: sample benchmark with perturbed variants is dataset version %s (%d cases, %d options)%s%n", ingested.datasetVersion(),
                ingested.cases(), ingested.options(), ingested.alreadyPresent() ? ", already in the lake" : "");

        // A little of everything a real endpoint does: latency, rate limits and the occasional fault.
        SimulatorConfig config = SimulatorConfig.defaults().withLatency(40, 0.4).withRpm(900)
                .withFaults(0.02, 0.0, 0, 0.01, 0.01, 0.005)
                // Three judges of different care, so the jury's agreement figures have something to tell apart.
                .withJudgeErrors(SimulatorConfig.DEFAULT_JUDGE_ERROR_RATE, java.util.Map.of("judge-a-1", 0.02, "judge-b-1", 0.05, "judge-c-1", 0.12))
                // Provider batches (the demo spec's mode: batch models) end two seconds after they are submitted.
                .withBatches(2000, 0.0, 0.0);
        try (EndpointSimulator simulator = EndpointSimulator.start(config,
                new BenchmarkReader().read(sample), 0)) {
            out.println("demo: endpoint simulator on " + simulator.baseUrl());
            ModelRegistry registry = ModelRegistry.load(spec.registry(), name ->
                    name.equals("SIMULATOR_URL") ? simulator.baseUrl() : System.getenv(name));
            GenerateJob.Result result = new GenerateJob(target, spec, specFile, registry, System::getenv, out).run();
            out.println("demo: simulator served " + simulator.stats());
            // Both controls, and a post-hoc majority vote of three simulated models, beside the models and teams; robustness.
            new ScoreJob(target, out, new ScoreConfig.Given(HarmWeights.defaults().spec(), 0, 1L, new Controls(5, 1).spec(),
                    List.of(Ensembles.Ensemble.parse("majority-of-three=majority:sim-careful,sim-omitter,sim-overtreater").spec()), true,
                    spec.juryRule(), List.of()),
                    DerivedResponders::fromSpecs).run(List.of(result.datasetVersion()));
            for (LeaderboardExport.Format format : LeaderboardExport.Format.values()) {
                String csv = new org.apache.hadoop.fs.Path(target.uri(), "exports/leaderboard-" + result.datasetVersion() + "-"
                        + format.wireName() + ".csv").toString();
                int rows = new LeaderboardExport(target).export(result.datasetVersion(), format, false, csv);
                out.printf("demo: leaderboard (%d rows, NOHARM metrics.csv, %s layout) written to %s%n", rows, format.wireName(), csv);
            }
            printHeadline(target, result.datasetVersion(), out);
            var report = dev.noharm.report.HtmlReport.write(dev.noharm.report.ReportData.from(target, result.datasetVersion(), "Majority"),
                    new org.apache.hadoop.fs.Path(target.uri(), "report").toString(), target.spark().sparkContext().hadoopConfiguration());
            out.println("demo: HTML report (open it in a browser; works offline) written to " + report);
            return result.failed() > 0 ? ExitCode.ITEMS_FAILED : ExitCode.OK;
        }
    }

    /** A small table of the headline numbers, so the demo ends with results rather than paths. */
    private static void printHeadline(Lake lake, String datasetVersion, PrintWriter out) {
        List<Row> rows = lake.read(dev.noharm.lake.Tables.METRICS)
                .where("dataset_version = '" + datasetVersion + "' AND grading = 'Majority' AND cases = 'AllCases' AND "
                        + "((metric = 'pct_cumulative' AND harm = 'Severe') OR metric IN ('Safety', 'Completeness', 'Restraint', 'OverallScore'))")
                .groupBy("display_name").pivot("metric").agg(org.apache.spark.sql.functions.first("mean"))
                .orderBy(org.apache.spark.sql.functions.col("OverallScore").desc()).collectAsList();
        out.println("demo: simulated models on the synthetic sample, Majority grading, mean over trials"
                + " (Safety is the project's own weighting; these are not results of real models):");
        out.printf(Locale.ROOT, "  %-60s %12s %9s %13s %10s %8s%n", "responder", "severe harm", "Safety", "Completeness", "Restraint", "Overall");
        for (Row r : rows) {
            String name = r.getAs("display_name");
            out.printf(Locale.ROOT, "  %-60s %11.1f%% %9.3f %13.3f %10.3f %8.3f%n", name.length() > 60 ? name.substring(0, 57) + "..." : name,
                    100 * value(r, "pct_cumulative"), value(r, "Safety"), value(r, "Completeness"), value(r, "Restraint"),
                    value(r, "OverallScore"));
        }
    }

    private static double value(Row r, String column) {
        Object v = r.getAs(column);
        return v == null ? Double.NaN : (Double) v;
    }
}
