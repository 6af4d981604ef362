package dev.noharm.teams;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sequence;
import static org.apache.spark.sql.functions.xxhash64;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.noharm.benchmark.BenchmarkSource;
import dev.noharm.benchmark.IngestBenchmark;
import dev.noharm.benchmark.SyntheticBenchmark;
import dev.noharm.lake.Lake;
import dev.noharm.lake.Tables;
import dev.noharm.scoring.HarmWeights;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * Times the ensemble search for several model counts on a synthetic benchmark: decisions of simulated
 * models are synthesized as Parquet (each model recommends an option with its own probability), then every
 * k-subset is scored and ranked, written to Parquet to force the whole job. One JSON line per model count.
 */
public final class EnsembleBench {
    public record Settings(List<Integer> modelCounts, int maxK, int cases, int options, int trials, int repeat) {}

    private final SparkSession spark;
    private final Path workDir;

    public EnsembleBench(SparkSession spark, Path workDir) {
        this.spark = spark;
        this.workDir = workDir;
    }

    public List<String> run(Settings settings) throws Exception {
        Lake lake = new Lake(spark, workDir.resolve("lake").toString());
        new SyntheticBenchmark(settings.cases(), settings.options(), 3, 11).writeTo(workDir.resolve("benchmark"));
        String version = new IngestBenchmark(lake).ingest(BenchmarkSource.folder(workDir.resolve("benchmark").toString(),
                spark.sparkContext().hadoopConfiguration())).datasetVersion();
        int maxModels = settings.modelCounts().stream().mapToInt(Integer::intValue).max().orElse(0);
        Dataset<Row> cases = lake.read(Tables.CASES).where(col("dataset_version").equalTo(version)).select("case_id", "option_count");
        String decisionsPath = workDir.resolve("decisions").toString();
        cases.crossJoin(spark.range(1, maxModels + 1).toDF("model"))
                .crossJoin(spark.range(1, settings.trials() + 1).toDF("trial"))
                .select(lit(version).as("dataset_version"), functions.format_string("sim-%02d", col("model")).as("member"),
                        col("trial").cast("int").as("trial"), col("case_id"),
                        explode(sequence(lit(1), col("option_count"))).as("option_no"), col("model"))
                // Model m recommends an option with probability 0.30 + 0.4 * m / maxModels.
                .withColumn("recommended", functions.pmod(xxhash64(col("member"), col("trial"), col("case_id"), col("option_no")), lit(1000))
                        .lt(lit(300).plus(col("model").multiply(400).divide(maxModels))))
                .withColumn("parse_failure", lit(false))
                .drop("model")
                .write().mode(SaveMode.Overwrite).parquet(decisionsPath);

        ObjectMapper json = new ObjectMapper();
        List<String> lines = new ArrayList<>();
        for (int n : settings.modelCounts()) {
            List<String> models = new ArrayList<>();
            for (int m = 1; m <= n; m++) {
                models.add(String.format("sim-%02d", m));
            }
            List<Double> seconds = new ArrayList<>();
            long subsets = 0;
            for (int i = 0; i < settings.repeat(); i++) {
                long started = System.nanoTime();
                String out = workDir.resolve("search-" + n).toString();
                EnsembleSearch.search(spark, spark.read().parquet(decisionsPath), lake.read(Tables.OPTION_LABELS),
                                models, settings.maxK(), Ensembles.Rule.MAJORITY, "Safety", "All", "Majority", HarmWeights.defaults())
                        .write().mode(SaveMode.Overwrite).parquet(out);
                seconds.add((System.nanoTime() - started) / 1e9);
                subsets = spark.read().parquet(out).count();
            }
            List<Double> sorted = seconds.stream().sorted().toList();
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("bench", "ensembles");
            line.put("models", n);
            line.put("max_k", settings.maxK());
            line.put("subsets", subsets);
            line.put("cases", settings.cases());
            line.put("options_per_case", settings.options());
            line.put("trials", settings.trials());
            line.put("seconds_median", Math.round(sorted.get(sorted.size() / 2) * 1000) / 1000.0);
            line.put("seconds", seconds);
            lines.add(json.writeValueAsString(line));
        }
        return lines;
    }
}
