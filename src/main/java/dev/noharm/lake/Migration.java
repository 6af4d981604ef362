package dev.noharm.lake;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.Path;
import org.apache.iceberg.Snapshot;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Brings a lake written by release 0.1 (Parquet folders, {@code column=value} partitions, staged renames)
 * into the Iceberg tables, losing nothing that was paid for: every generation row is copied, error rows
 * included. What the old layout showed is what is migrated: benchmark tables of committed dataset versions,
 * and each dataset version's score (the old layout kept one) under the id of its {@code score_runs} row.
 * Each table is one commit stamped {@code noharm.migrated-from}; migrating the same lake again skips the
 * tables already done, so a migration that stopped half way is finished by running it again.
 */
public final class Migration {
    /** The old layout's folder of each table, under the old lake's root. */
    private static final Map<LakeTable, String> OLD_PATHS = oldPaths();
    private static final String MIGRATED_FROM = "noharm.migrated-from";

    private final Lake lake;

    public Migration(Lake lake) {
        this.lake = lake;
    }

    /** What happened to one table: rows found in the old lake, rows written, or why it was skipped. */
    public record TableReport(String table, long oldRows, long migratedRows, String note) {}

    public List<TableReport> from(String oldRoot) {
        Path root = new Path(oldRoot);
        List<TableReport> reports = new ArrayList<>();
        if (!exists(new Path(root, "benchmark/dataset_versions"))) {
            throw new IllegalArgumentException(oldRoot + " holds no lake written by release 0.1 (no benchmark/dataset_versions folder)");
        }
        String from = qualified(root);
        Dataset<Row> oldVersions = old(root, Tables.DATASET_VERSIONS).select("dataset_version").distinct();
        Dataset<Row> oldScores = latestScores(root);
        for (Map.Entry<LakeTable, String> entry : OLD_PATHS.entrySet()) {
            LakeTable table = entry.getKey();
            if (migrated(table, from)) {
                reports.add(new TableReport(table.name(), -1, -1, "already migrated from " + from));
                continue;
            }
            Path path = new Path(root, entry.getValue());
            if (!exists(path)) {
                reports.add(new TableReport(table.name(), 0, 0, "not in the old lake"));
                continue;
            }
            Dataset<Row> rows = old(root, table);
            long found = rows.count();
            String note = "";
            if (table.visibility() == LakeTable.Visibility.COMMITTED_DATASET_VERSIONS) {
                rows = rows.join(oldVersions, JoinKeys.of("dataset_version"), "left_semi");
            } else if (table.visibility() == LakeTable.Visibility.COMPLETE_SCORES) {
                // The old layout kept one score per dataset version: it gets the id of that version's score_runs row.
                rows = rows.join(oldScores.select("dataset_version", "score_id"), JoinKeys.of("dataset_version"));
            }
            rows = rows.select(columns(table));
            long migrated = rows.count();
            if (migrated < found) {
                note = (found - migrated) + " rows of dataset versions or scores the old lake never completed were left out";
            }
            lake.append(table, rows, Map.of(MIGRATED_FROM, from));
            reports.add(new TableReport(table.name(), found, migrated, note));
        }
        return reports;
    }

    /** Each dataset version's newest score_runs row of the old lake: the score its score tables hold. */
    private Dataset<Row> latestScores(Path root) {
        if (!exists(new Path(root, OLD_PATHS.get(Tables.SCORE_RUNS)))) {
            return lake.spark().createDataFrame(List.of(), new StructType().add("dataset_version", "string").add("score_id", "string"));
        }
        return old(root, Tables.SCORE_RUNS)
                .withColumn("n", row_number().over(Window.partitionBy("dataset_version").orderBy(col("scored_at").desc())))
                .where(col("n").equalTo(1)).drop("n");
    }

    /** The columns a table had in release 0.1: today's, without the score id of score tables and the score config. */
    public static StructType oldSchema(LakeTable table) {
        StructType schema = new StructType();
        for (StructField field : table.schema().fields()) {
            boolean added = field.name().equals("config")
                    || (field.name().equals("score_id") && table.visibility() == LakeTable.Visibility.COMPLETE_SCORES);
            if (!added) {
                schema = schema.add(field);
            }
        }
        return schema;
    }

    /** A table as the old release wrote it, read as its reader did. */
    private Dataset<Row> old(Path root, LakeTable table) {
        Dataset<Row> rows = lake.spark().read().schema(oldSchema(table)).parquet(new Path(root, OLD_PATHS.get(table)).toString());
        return table.equals(Tables.SCORE_RUNS) ? rows.withColumn("config", lit(null).cast("string")) : rows;
    }

    private boolean migrated(LakeTable table, String from) {
        for (Snapshot snapshot : lake.table(table).snapshots()) {
            if (from.equals(snapshot.summary().get(MIGRATED_FROM))) {
                return true;
            }
        }
        return false;
    }

    private static Column[] columns(LakeTable table) {
        return Arrays.stream(table.schema().fieldNames()).map(n -> col("`" + n + "`")).toArray(Column[]::new);
    }

    private boolean exists(Path path) {
        return lake.exists(path);
    }

    private String qualified(Path path) {
        try {
            return lake.fs(path).makeQualified(path).toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<LakeTable, String> oldPaths() {
        Map<LakeTable, String> paths = new LinkedHashMap<>();
        for (LakeTable t : List.of(Tables.DATASET_VERSIONS, Tables.CASES, Tables.OPTIONS, Tables.ANNOTATIONS, Tables.OPTION_LABELS)) {
            paths.put(t, "benchmark/" + t.name());
        }
        paths.put(Tables.GENERATIONS, "generations");
        paths.put(Tables.RESPONSES, "responses");
        for (LakeTable t : List.of(Tables.SCORED_RESPONSES, Tables.DECISIONS, Tables.CASE_RESULTS, Tables.TRIAL_METRICS, Tables.METRICS,
                Tables.OPTION_RESULTS, Tables.SCORE_RUNS, Tables.REGRESSIONS, Tables.ENSEMBLE_SEARCH)) {
            paths.put(t, "scores/" + t.name());
        }
        return paths;
    }

}
