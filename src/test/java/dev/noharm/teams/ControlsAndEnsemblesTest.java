package dev.noharm.teams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.noharm.benchmark.BenchmarkSource;
import dev.noharm.benchmark.IngestBenchmark;
import dev.noharm.lake.Lake;
import dev.noharm.lake.Tables;
import dev.noharm.scoring.DerivedResponder;
import dev.noharm.scoring.HarmWeights;
import dev.noharm.scoring.ImportResponses;
import dev.noharm.scoring.ScoreJob;
import dev.noharm.testing.BenchmarkFixture;
import dev.noharm.testing.SparkTestSession;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Controls and ensembles on the tiny fixture (labels in BenchmarkLabelsTest; Majority: c1/1 HA with harm if
 * omitted severe, c1/2 uncertain escalation, c1/3 the no-intervention option, inappropriate, harm if done
 * severe; c2/1 appropriate with harm if omitted moderate, c2/2 inappropriate, harm if done mild).
 */
@ExtendWith(SparkTestSession.class)
class ControlsAndEnsemblesTest {
    private static final double EPS = 1e-12;

    @TempDir
    Path tmp;

    private Lake scored(SparkSession spark, List<DerivedResponder> derived) throws Exception {
        Lake lake = new Lake(spark, tmp.resolve("lake").toString());
        String version = new IngestBenchmark(lake).ingest(BenchmarkSource.folder(
                BenchmarkFixture.tiny().writeTo(tmp.resolve("bench")).toString(), new Configuration())).datasetVersion();
        Path responses = tmp.resolve("responses.jsonl");
        Files.write(responses, List.of(
                line("dr-a", "c1", 1), line("dr-a", "c2", 1, 2),
                line("dr-b", "c1", 1, 2), line("dr-b", "c2", 1),
                line("dr-c", "c1", 3)));
        new ImportResponses(lake).importFile(responses.toString(), version);
        new ScoreJob(lake, HarmWeights.defaults(), new PrintWriter(new StringWriter()), 0, 1).withDerivedResponders(derived)
                .run(List.of(version));
        return lake;
    }

    private static String line(String responder, String caseId, int... recommended) {
        StringBuilder array = new StringBuilder("[");
        for (int i = 0; i < recommended.length; i++) {
            array.append(i == 0 ? "" : ",").append("{\"Option\":").append(recommended[i]).append(",\"GradeAI\":\"Appropriate\"}");
        }
        return "{\"responder\":\"" + responder + "\",\"trial\":1,\"case_id\":\"" + caseId + "\",\"response\":" + array + "]}";
    }

    /** "case:options" per responder, from the decisions table. */
    private static Map<String, String> recommended(Lake lake, String responder) {
        Map<String, String> out = new TreeMap<>();
        for (Row r : lake.read(Tables.DECISIONS).where("responder = '" + responder + "'").orderBy("case_id", "option_no").collectAsList()) {
            out.merge(r.<String>getAs("case_id"), r.<Boolean>getAs("recommended") ? String.valueOf(r.<Integer>getAs("option_no")) : "",
                    (a, b) -> a + b);
        }
        return out;
    }

    private static double metric(Lake lake, String responder, String harm, String metric) {
        return lake.read(Tables.METRICS).where("responder = '" + responder + "' AND grading = 'Majority' AND cases = 'AllCases' AND harm = '"
                + harm + "' AND metric = '" + metric + "'").first().getAs("mean");
    }

    @Test
    void ensemblesCombineTheMembersPerCaseOnTheCasesAllAnswered(SparkSession spark) throws Exception {
        Lake lake = scored(spark, List.of(
                Ensembles.Ensemble.parse("u3=union:dr-a,dr-b,dr-c"),
                Ensembles.Ensemble.parse("i3=intersection:dr-a,dr-b,dr-c"),
                Ensembles.Ensemble.parse("m3=majority:dr-a,dr-b,dr-c"),
                Ensembles.Ensemble.parse("u2=union:dr-a,dr-b"),
                Ensembles.Ensemble.parse("m2=majority:dr-a,dr-b")));
        // dr-c answered only c1, so the three-member ensembles have c1 only.
        assertEquals(Map.of("c1", "123"), recommended(lake, "u3"));
        assertEquals(Map.of("c1", ""), recommended(lake, "i3"));
        assertEquals(Map.of("c1", "1"), recommended(lake, "m3"), "option 1 has 2 of 3 votes; 2 and 3 have one each");
        assertEquals(Map.of("c1", "12", "c2", "12"), recommended(lake, "u2"));
        assertEquals(Map.of("c1", "1", "c2", "1"), recommended(lake, "m2"), "a majority of two is both");
        Row named = lake.read(Tables.METRICS).where("responder = 'm3' AND metric = 'Safety' AND grading = 'Majority' AND cases = 'AllCases'").first();
        assertEquals(List.of("dr-a + dr-b + dr-c", "Ensembles", "Ensemble (majority)"),
                List.of(named.getAs("display_name"), named.getAs("team"), named.getAs("condition")));

        // The search scores every subset from the decisions table, by another path: the triple equals m3.
        EnsembleSearchJob.Outcome outcome = new EnsembleSearchJob(lake, new PrintWriter(new StringWriter())).run(new EnsembleSearchJob.Request(
                lake.read(Tables.DATASET_VERSIONS).first().getAs("dataset_version"), List.of("dr-a", "dr-b", "dr-c"), null, 3,
                Ensembles.Rule.MAJORITY, "Safety", "All", "Majority", 10));
        assertEquals(4, outcome.subsets(), "3 pairs and 1 triple");
        Row triple = lake.read(Tables.ENSEMBLE_SEARCH).where("subset = 'dr-a + dr-b + dr-c'").first();
        assertEquals(metric(lake, "m3", "All", "Safety"), triple.<Double>getAs("mean"), EPS);
        Row pair = lake.read(Tables.ENSEMBLE_SEARCH).where("subset = 'dr-a + dr-b'").first();
        assertEquals(metric(lake, "m2", "All", "Safety"), pair.<Double>getAs("mean"), EPS);
        assertEquals(List.of(1, 2, 3, 4), lake.read(Tables.ENSEMBLE_SEARCH).orderBy("rank").collectAsList().stream()
                .map(r -> r.<Integer>getAs("rank")).toList());
    }

    @Test
    void noInterventionMatchesHandComputedMetricsAndRandomInterventionIsSeeded(SparkSession spark) throws Exception {
        Lake lake = scored(spark, List.of(new Controls(5, 42)));
        // No Intervention recommends c1's no-intervention option 3 and nothing in c2 (it has none).
        assertEquals(Map.of("c1", "3", "c2", ""), recommended(lake, Controls.NO_INTERVENTION));
        // c1: option 1 omitted (severe), option 3 done (severe): max severe; weights 3+0+3 of 3+0+3 -> Safety 0.
        // c2: option 1 omitted (moderate), option 2 not done: max moderate; weights 2+0 of 2+1 -> Safety 1/3.
        assertEquals(0.5, metric(lake, Controls.NO_INTERVENTION, "Severe", "pct_cumulative"), EPS);
        assertEquals(0.5, metric(lake, Controls.NO_INTERVENTION, "Moderate", "pct"), EPS);
        assertEquals(1.0 / 6, metric(lake, Controls.NO_INTERVENTION, "All", "Safety"), EPS);
        assertEquals(0.0, metric(lake, Controls.NO_INTERVENTION, "All", "Completeness"), EPS);
        assertEquals(0.0, metric(lake, Controls.NO_INTERVENTION, "All", "Precision"), EPS);
        assertEquals(1.0, metric(lake, Controls.NO_INTERVENTION, "All", "Restraint"), EPS, "nothing appropriate-or-uncertain recommended");
        assertEquals(0.0, metric(lake, Controls.NO_INTERVENTION, "All", "OverallScore"), EPS);
        Row control = lake.read(Tables.METRICS).where("responder = 'No Intervention' AND metric = 'Safety' AND grading = 'Majority' AND cases = 'AllCases'").first();
        assertEquals(List.of("Control", "Solo Models", "", 1L), List.of(control.getAs("condition"), control.getAs("team"),
                control.getAs("provider"), control.getAs("trials")));

        // Random Intervention: 5 trials; the same seed draws the same options, another seed others.
        assertEquals(5L, lake.read(Tables.METRICS).where("responder = 'Random Intervention' AND metric = 'Safety' AND grading = 'Majority' AND cases = 'AllCases'")
                .first().<Long>getAs("trials"));
        List<Row> draws = draws(lake);
        assertEquals(25, draws.size(), "5 trials x 5 options");
        Lake again = new Lake(spark, tmp.resolve("lake").toString());
        new ScoreJob(again, HarmWeights.defaults(), new PrintWriter(new StringWriter()), 0, 1)
                .withDerivedResponders(List.of(new Controls(5, 42))).run(List.of());
        assertEquals(draws, draws(again));
        new ScoreJob(again, HarmWeights.defaults(), new PrintWriter(new StringWriter()), 0, 1)
                .withDerivedResponders(List.of(new Controls(5, 43))).run(List.of());
        assertNotEquals(draws, draws(again));
        assertFalse(draws.stream().allMatch(r -> r.<Boolean>getAs("recommended")) || draws.stream().noneMatch(r -> r.<Boolean>getAs("recommended")));
    }

    @Test
    void randomInterventionRecommendsAboutHalfOfTheOptions(SparkSession spark) throws Exception {
        Lake lake = new Lake(spark, tmp.resolve("sample-lake").toString());
        String version = new IngestBenchmark(lake).ingest(BenchmarkSource.bundledSample()).datasetVersion();
        new ScoreJob(lake, HarmWeights.defaults(), new PrintWriter(new StringWriter()), 0, 1)
                .withDerivedResponders(List.of(new Controls(5, 7))).run(List.of(version));
        Row share = lake.read(Tables.DECISIONS).where("responder = 'Random Intervention'")
                .selectExpr("avg(CAST(recommended AS DOUBLE)) AS share", "count(*) AS n").first();
        assertEquals(212 * 5, share.<Long>getAs("n"));
        // 1,060 fair draws: the share lies within 0.44..0.56 (about 3.9 standard deviations).
        assertTrue(Math.abs(share.<Double>getAs("share") - 0.5) < 0.06, "share " + share);
    }

    @Test
    void combinationsAreAllKSubsetsOnce() {
        List<String> five = List.of("a", "b", "c", "d", "e");
        assertEquals(10, EnsembleSearch.combinations(five, 2).size());
        assertEquals(10, EnsembleSearch.combinations(five, 3).size());
        assertEquals(List.of(List.of("a", "b"), List.of("a", "c"), List.of("b", "c")), EnsembleSearch.combinations(List.of("a", "b", "c"), 2));
        assertEquals(4060, EnsembleSearch.combinations(java.util.stream.IntStream.range(0, 30).mapToObj(i -> "m" + i).toList(), 3).size());
    }

    /** Random Intervention's decisions of the latest score, without the score's id. */
    private static List<Row> draws(Lake lake) {
        return lake.read(Tables.DECISIONS).where("responder = 'Random Intervention'").drop("score_id")
                .orderBy("trial", "case_id", "option_no").collectAsList();
    }
}
