package dev.noharm.cli;

import dev.noharm.benchmark.BenchmarkSource;
import dev.noharm.benchmark.IngestBenchmark;
import dev.noharm.lake.Lake;
import dev.noharm.lake.SparkSessions;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "ingest", mixinStandardHelpOptions = true,
        description = {
            "Validate a benchmark (cases.jsonl, options.jsonl, annotations.jsonl) and write it to the lake as a dataset version.",
            "Identical content is a no-op; changed content becomes a new version. Invalid input writes nothing and exits 3."})
final class IngestCommand implements Callable<Integer> {

    static final class Input {
        @Option(names = "--dataset", paramLabel = "DIR", required = true,
                description = "Folder holding the three files (local path or Hadoop URI).")
        String dataset;

        @Option(names = "--sample", required = true, description = "Ingest the synthetic sample benchmark bundled in the jar.")
        boolean sample;

        @Option(names = "--sample-with-variants", required = true,
                description = "The sample plus perturbed copies of three of its cases (sex, age, a lab value; CONTRACT section 7), synthetic too.")
        boolean sampleWithVariants;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Input input;

    @Mixin
    LakeOption lake;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        SparkSession spark = SparkSessions.getOrCreate("noharm ingest");
        PrintWriter out = spec.commandLine().getOut();
        BenchmarkSource source = input.sample ? BenchmarkSource.bundledSample()
                : input.sampleWithVariants ? BenchmarkSource.bundledSampleWithVariants()
                : BenchmarkSource.folder(input.dataset, spark.sparkContext().hadoopConfiguration());
        Lake target = new Lake(spark, lake.uri());
        IngestBenchmark.Result result = new IngestBenchmark(target).ingest(source);
        if (result.alreadyPresent()) {
            out.printf("dataset version %s (%s) is already in %s: nothing written%n",
                    result.datasetVersion(), source.describe(), target.uri());
        } else {
            out.printf("ingested dataset version %s from %s: %d cases, %d options, %d annotations into %s%n",
                    result.datasetVersion(), source.describe(), result.cases(), result.options(),
                    result.annotations(), target.uri());
        }
        return ExitCode.OK;
    }
}
