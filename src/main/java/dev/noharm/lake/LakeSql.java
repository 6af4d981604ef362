package dev.noharm.lake;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructField;

/**
 * Every lake table under its own name for Spark SQL: temporary views for one session ({@link #register}),
 * or {@code CREATE TABLE} statements for a shared metastore such as Hive or AWS Glue ({@link #ddl}).
 */
public final class LakeSql {
    private final Lake lake;

    public LakeSql(Lake lake) {
        this.lake = lake;
    }

    /**
     * Registers each table of {@link Tables#all()} as a temporary view named like the table. Benchmark
     * tables show committed dataset versions only (a crash between partition moves can leave an
     * uncommitted partition on disk; see data-lake-layout.md).
     */
    public List<String> register() {
        Dataset<Row> committed = lake.read(Tables.DATASET_VERSIONS).select("dataset_version");
        List<String> names = new ArrayList<>();
        for (LakeTable table : Tables.all()) {
            Dataset<Row> data = lake.read(table);
            if (Tables.benchmarkTables().contains(table)) {
                data = data.join(committed, data.col("dataset_version").equalTo(committed.col("dataset_version")), "left_semi");
            }
            data.createOrReplaceTempView(table.name());
            names.add(table.name());
        }
        return names;
    }

    /**
     * One {@code CREATE TABLE IF NOT EXISTS ... USING parquet PARTITIONED BY ... LOCATION ...} per table,
     * each followed by the statement that makes the metastore discover the partitions already written.
     * Creates the (empty) folders of tables not written yet, so every statement can run now.
     */
    public List<String> ddl(String database) {
        createMissingTableFolders();
        String prefix = database == null || database.isBlank() ? "" : quote(database) + ".";
        List<String> statements = new ArrayList<>();
        if (!prefix.isEmpty()) {
            statements.add("CREATE DATABASE IF NOT EXISTS " + quote(database) + ";");
        }
        for (LakeTable table : Tables.all()) {
            String columns = java.util.Arrays.stream(table.schema().fields())
                    .map(LakeSql::columnDefinition)
                    .collect(Collectors.joining(",\n  "));
            String name = prefix + quote(table.name());
            statements.add("CREATE TABLE IF NOT EXISTS " + name + " (\n  " + columns + ")\nUSING parquet\n"
                    + "PARTITIONED BY (" + table.partitionColumns().stream().map(LakeSql::quote).collect(Collectors.joining(", ")) + ")\n"
                    + "LOCATION '" + lake.tablePath(table).toString().replace("'", "\\'") + "';");
            // Partitions written after this statement need it again: nightly jobs should run it after scoring.
            statements.add("MSCK REPAIR TABLE " + name + ";");
        }
        return statements;
    }

    /** A metastore table needs its location to exist; tables no job has written yet get an empty folder. */
    private void createMissingTableFolders() {
        for (LakeTable table : Tables.all()) {
            Path path = lake.tablePath(table);
            try {
                path.getFileSystem(lake.spark().sparkContext().hadoopConfiguration()).mkdirs(path);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create " + path, e);
            }
        }
    }

    private static String columnDefinition(StructField field) {
        // No NOT NULL: metastores do not enforce it on Parquet tables, and some reject it.
        return quote(field.name()) + " " + field.dataType().sql();
    }

    private static String quote(String identifier) {
        return "`" + identifier.replace("`", "``") + "`";
    }
}
