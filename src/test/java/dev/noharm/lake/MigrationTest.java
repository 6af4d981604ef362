package dev.noharm.lake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.noharm.scoring.ScoreConfig;
import dev.noharm.scoring.ScoreJob;
import dev.noharm.teams.DerivedResponders;
import dev.noharm.testing.ReleaseLake;
import dev.noharm.testing.SparkTestSession;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The lake release 0.1 wrote, migrated in place into Iceberg tables: nothing paid for is lost, what it showed is what it shows. */
@ExtendWith(SparkTestSession.class)
class MigrationTest {
    @Test
    void everyGenerationAndTheVisibleScoreArriveAndASecondRunChangesNothing(SparkSession spark, @TempDir Path tmp) {
        Path old = ReleaseLake.copyTo(tmp.resolve("fixture")).resolve("lake");
        Lake lake = new Lake(spark, old.toString());
        List<Migration.TableReport> reports = new Migration(lake).from(old.toString());

        Map<String, Long> migrated = new TreeMap<>();
        reports.forEach(r -> migrated.put(r.table(), r.migratedRows()));
        assertEquals(36L, migrated.get("generations"));
        assertEquals(2L, migrated.get("dataset_versions"));
        assertEquals(4L, migrated.get("cases"));
        assertEquals(10L, migrated.get("options"));
        assertEquals(34L, migrated.get("annotations"));
        assertEquals(20L, migrated.get("option_labels"));
        assertEquals(3L, migrated.get("responses"));
        assertEquals(1L, migrated.get("score_runs"));
        assertTrue(reports.stream().allMatch(r -> r.note().isEmpty() || r.note().equals("not in the old lake")), reports.toString());

        // Every generation, error rows included, with its key and answer as the old files hold them.
        Set<String> oldRows = new HashSet<>();
        ReleaseLake.generations().forEach(r -> oldRows.add(r.get("work_key") + "|" + r.get("status") + "|" + r.get("response_text")
                + "|" + r.get("run_id") + "|" + r.get("model_id")));
        Set<String> newRows = new HashSet<>();
        lake.read(Tables.GENERATIONS).collectAsList().forEach(r -> newRows.add(r.getAs("work_key") + "|" + r.getAs("status") + "|"
                + r.getAs("response_text") + "|" + r.getAs("run_id") + "|" + r.getAs("model_id")));
        assertEquals(oldRows, newRows);
        assertEquals(32, lake.read(Tables.GENERATIONS).where("status = 'ok'").count());

        // The score: under the id of the old score_runs row, every metric as the old files hold it.
        Row run = lake.read(Tables.SCORE_RUNS).first();
        assertNull(run.getAs("config"));
        Dataset<Row> oldMetrics = spark.read().schema(Migration.oldSchema(Tables.METRICS)).parquet(old.resolve("scores/metrics").toString());
        assertEquals(sorted(oldMetrics.selectExpr("responder", "grading", "cases", "harm", "metric", "mean")),
                sorted(lake.read(Tables.METRICS).selectExpr("responder", "grading", "cases", "harm", "metric", "mean")));
        assertEquals(Set.of((String) run.getAs("score_id")), Set.copyOf(lake.read(Tables.DECISIONS).select("score_id").distinct()
                .collectAsList().stream().map(r -> r.getString(0)).toList()));
        assertEquals(spark.read().parquet(old.resolve("scores/decisions").toString()).count(), lake.read(Tables.DECISIONS).count());

        // Again: every table is skipped, nothing is written twice.
        List<Migration.TableReport> again = new Migration(new Lake(spark, old.toString())).from(old.toString());
        assertTrue(again.stream().allMatch(r -> r.note().startsWith("already migrated") || r.note().equals("not in the old lake")),
                again.toString());
        assertEquals(36, lake.read(Tables.GENERATIONS).count());

        // A plain score of the migrated version says what the old score's settings were not kept for.
        StringWriter out = new StringWriter();
        new ScoreJob(lake, new PrintWriter(out, true), ScoreConfig.Given.NOTHING, DerivedResponders::fromSpecs)
                .run(List.of(ReleaseLake.FIRST_VERSION));
        assertTrue(out.toString().contains("kept no settings (an earlier release wrote it)"), out.toString());
        assertEquals(2, lake.readAll(Tables.SCORE_RUNS).count(), "the migrated score stays beside the new one");
    }

    private static List<String> sorted(Dataset<Row> rows) {
        return rows.collectAsList().stream().map(Row::toString).sorted().toList();
    }
}
