package dev.noharm.lake;

import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Every lake table under its own name for Spark SQL, as the pipeline's readers see it ({@link Lake#read}):
 * benchmark tables with committed dataset versions only, score tables with one complete score per dataset
 * version (the latest, or the one chosen). The tables themselves, with every score, their snapshots and time
 * travel, stay reachable by their full names ({@code lake.noharm.metrics}).
 */
public final class LakeSql {
    private final Lake lake;

    public LakeSql(Lake lake) {
        this.lake = lake;
    }

    /** Registers a temporary view per table; returns their names. */
    public List<String> register(ScoreChoice score) {
        return register(score, Tables.all());
    }

    /**
     * Registers views only for the tables {@code statements} name (a word equal to a table's name): opening the
     * lake and resolving every table costs seconds that {@code SELECT 1} should not pay.
     */
    public List<String> registerFor(ScoreChoice score, List<String> statements) {
        String text = String.join("\n", statements).toLowerCase(java.util.Locale.ROOT);
        return register(score, Tables.all().stream()
                .filter(t -> java.util.regex.Pattern.compile("\\b" + t.name() + "\\b").matcher(text).find()).toList());
    }

    private List<String> register(ScoreChoice score, List<LakeTable> tables) {
        List<String> names = new ArrayList<>();
        for (LakeTable table : tables) {
            Dataset<Row> view = table.equals(Tables.LEASES) ? leases() : lake.read(table, score);
            view.createOrReplaceTempView(table.name());
            names.add(table.name());
        }
        return names;
    }

    /** The live leases as rows (the table itself holds none: see {@link Leases}). */
    private Dataset<Row> leases() {
        List<Row> rows = new ArrayList<>();
        for (Leases.Lease l : new Leases(lake, java.time.Clock.systemUTC()).current().values()) {
            rows.add(RowFactory.create(l.key(), l.holder().runId(), l.holder().jobId(), l.holder().host(), l.holder().pid(),
                    Timestamp.from(l.since()), Timestamp.from(l.expires())));
        }
        StructType schema = new StructType().add("lease_key", DataTypes.StringType).add("run_id", DataTypes.StringType)
                .add("job_id", DataTypes.StringType).add("host", DataTypes.StringType).add("pid", DataTypes.LongType)
                .add("since", DataTypes.TimestampType).add("expires", DataTypes.TimestampType);
        return lake.spark().createDataFrame(rows, schema);
    }
}
