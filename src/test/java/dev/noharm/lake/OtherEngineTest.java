package dev.noharm.lake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.noharm.benchmark.BenchmarkSource;
import dev.noharm.benchmark.IngestBenchmark;
import dev.noharm.testing.BenchmarkFixture;
import dev.noharm.testing.SparkTestSession;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Another engine on the lake's files. DuckDB's Iceberg extension is a download (no network here), so DuckDB
 * reads what Iceberg's metadata names: the data files of a table's current snapshot, as plain Parquet.
 */
@ExtendWith(SparkTestSession.class)
class OtherEngineTest {
    @Test
    void duckdbReadsTheCurrentSnapshotsDataFilesToTheRowsSparkReads(SparkSession spark, @TempDir Path tmp) throws Exception {
        Lake lake = new Lake(spark, tmp.resolve("lake").toString());
        var ingest = new IngestBenchmark(lake);
        ingest.ingest(BenchmarkSource.folder(BenchmarkFixture.tiny().writeTo(tmp.resolve("a")).toString(), new Configuration()));
        ingest.ingest(BenchmarkSource.folder(BenchmarkFixture.tiny().replaceLine("cases.jsonl", 1,
                "{\"case_id\":\"c1\",\"specialty\":\"Cardiology\",\"text\":\"Case one, revised.\"}").writeTo(tmp.resolve("b")).toString(),
                new Configuration()));
        List<String> files = spark.table(lake.tableName(Tables.CASES) + ".files").select("file_path").collectAsList().stream()
                .map(r -> Path.of(java.net.URI.create(r.getString(0))).toString()).toList();
        assertEquals(2, files.size(), "a file per dataset version");

        List<String> fromDuck = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT dataset_version, case_id, text FROM read_parquet(["
                        + String.join(", ", files.stream().map(f -> "'" + f + "'").toList()) + "]) ORDER BY 1, 2")) {
            while (r.next()) {
                fromDuck.add(r.getString(1) + "|" + r.getString(2) + "|" + r.getString(3));
            }
        }
        List<String> fromSpark = lake.read(Tables.CASES).orderBy("dataset_version", "case_id").collectAsList().stream()
                .map(r -> r.getAs("dataset_version") + "|" + r.getAs("case_id") + "|" + r.getAs("text")).toList();
        assertEquals(fromSpark, fromDuck);
        assertTrue(fromDuck.stream().anyMatch(l -> l.endsWith("|c1|Case one, revised.")));
    }
}
