package dev.noharm.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.noharm.benchmark.BenchmarkSource;
import dev.noharm.benchmark.IngestBenchmark;
import dev.noharm.lake.Lake;
import dev.noharm.lake.Tables;
import dev.noharm.testing.BenchmarkFixture;
import dev.noharm.testing.SparkTestSession;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * CONTRACT section 7's case sets: with c2 of the hand-labelled fixture a perturbed copy (kind {@code age}) of
 * c1, section 4's metrics over {@code Originals} are c1's alone and over {@code Perturbation=age} c2's alone.
 */
@ExtendWith(SparkTestSession.class)
class PerturbationCaseSetsTest {
    private static final double EPS = 1e-12;

    @TempDir
    Path tmp;

    @Test
    void metricsOverOriginalsAndEachKindKeptByLaterScoresAndExported(SparkSession spark) throws Exception {
        Lake lake = new Lake(spark, tmp.resolve("lake").toString());
        String version = new IngestBenchmark(lake).ingest(BenchmarkSource.folder(BenchmarkFixture.tiny()
                .replaceLine("cases.jsonl", 2, "{\"case_id\":\"c2\",\"specialty\":\"Neurology\",\"text\":\"Case two, ten years older. What next?\","
                        + "\"variant_of\":\"c1\",\"perturbation\":\"age\"}")
                .writeTo(tmp.resolve("bench")).toString(), new Configuration())).datasetVersion();
        Path responses = tmp.resolve("responses.jsonl");
        Files.write(responses, List.of(
                "{\"responder\":\"dr-a\",\"trial\":1,\"case_id\":\"c1\",\"response\":[{\"Option\":1,\"GradeAI\":\"Appropriate\"},{\"Option\":2,\"GradeAI\":\"Inappropriate\"}]}",
                "{\"responder\":\"dr-a\",\"trial\":1,\"case_id\":\"c2\",\"response\":[{\"Option\":1,\"GradeAI\":\"Appropriate\"},{\"Option\":2,\"GradeAI\":\"Appropriate\"}]}"));
        new ImportResponses(lake).importFile(responses.toString(), version);
        new ScoreJob(lake, new PrintWriter(new StringWriter()), new ScoreConfig.Given(null, null, null, null, null, true),
                specs -> List.of()).run(List.of());

        // By hand, Majority grading. c1: R = {1}; option 1 is highly appropriate (2 of 3 annotators) and the only
        // appropriate one (option 2's majority level is uncertain); nothing harmful is done or left out.
        // c2: R = {1, 2}; option 1 appropriate (3 of 4), no highly appropriate option, option 2 is mild if done.
        Map<String, Double> m = metrics(lake);
        expect(m, "Originals", "All", "Safety", 1.0);
        expect(m, "Originals", "All", "Precision", 1.0);
        expect(m, "Originals", "All", "Completeness", 1.0);
        expect(m, "Originals", "None", "pct", 1.0);
        expect(m, "Perturbation=age", "All", "Safety", 2.0 / 3);
        expect(m, "Perturbation=age", "All", "Precision", 0.5);
        expect(m, "Perturbation=age", "Mild", "pct", 1.0);
        assertFalse(m.containsKey("Perturbation=age|All|Completeness"), "no highly appropriate option in c2: absent");
        expect(m, "AllCases", "All", "Safety", 5.0 / 6);

        // A plain score keeps the case sets (the config is the previous score's), and the long export writes them.
        new ScoreJob(lake, new PrintWriter(new StringWriter()), ScoreConfig.Given.NOTHING, specs -> List.of()).run(List.of());
        assertEquals(2, lake.read(Tables.SCORE_RUNS).count());
        expect(metrics(lake), "Perturbation=age", "All", "Safety", 2.0 / 3);
        Path csv = tmp.resolve("long.csv");
        new LeaderboardExport(lake).export(version, LeaderboardExport.Format.LONG, false, csv.toString());
        List<String> lines = Files.readAllLines(csv);
        assertTrue(lines.contains("dr-a,Solo Models,Human,All,Safety,1,1.0,,,,NO,Originals,Majority,AllHarm,dr-a,Human"), String.join("\n", lines));
        assertTrue(lines.stream().anyMatch(l -> l.contains(",Perturbation=age,Majority,")), "the perturbation rows are exported");
        assertTrue(lines.stream().noneMatch(l -> l.contains(",Specialty=")), "specialties only on request");
    }

    /** The newest score's Majority metrics as "cases|harm|metric" to mean. */
    private static Map<String, Double> metrics(Lake lake) {
        Map<String, Double> values = new HashMap<>();
        for (Row r : lake.read(Tables.METRICS).where("grading = 'Majority' AND responder = 'dr-a'").collectAsList()) {
            values.put(r.getAs("cases") + "|" + r.getAs("harm") + "|" + r.getAs("metric"), r.getAs("mean"));
        }
        return values;
    }

    private static void expect(Map<String, Double> metrics, String cases, String harm, String metric, double expected) {
        String key = cases + "|" + harm + "|" + metric;
        assertTrue(metrics.containsKey(key), key + " missing from " + metrics.keySet());
        assertEquals(expected, metrics.get(key), EPS, key);
    }
}
