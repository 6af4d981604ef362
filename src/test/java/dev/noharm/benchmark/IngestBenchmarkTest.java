package dev.noharm.benchmark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.noharm.lake.Lake;
import dev.noharm.lake.Tables;
import dev.noharm.testing.BenchmarkFixture;
import dev.noharm.testing.SparkTestSession;
import dev.noharm.validation.InvalidInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(SparkTestSession.class)
class IngestBenchmarkTest {

    @TempDir
    Path tmp;

    private BenchmarkSource fixture(BenchmarkFixture f, String name) {
        return BenchmarkSource.folder(f.writeTo(tmp.resolve(name)).toString(), new org.apache.hadoop.conf.Configuration());
    }

    @Test
    void roundTripsEveryTableThroughParquet(SparkSession spark) {
        Lake lake = new Lake(spark, tmp.resolve("lake").toString());
        // c2 as a perturbed copy of c1 (CONTRACT section 7), to see both columns stored.
        IngestBenchmark.Result result = new IngestBenchmark(lake).ingest(fixture(BenchmarkFixture.tiny().replaceLine("cases.jsonl", 2,
                "{\"case_id\":\"c2\",\"specialty\":\"Neurology\",\"text\":\"Case two. What next?\",\"variant_of\":\"c1\",\"perturbation\":\"age\"}"),
                "in"));
        String v = result.datasetVersion();
        assertFalse(result.alreadyPresent());

        assertEquals(List.of(
                        v + "|c1|Cardiology|Case one. What next?|test fixture|null|null|3",
                        v + "|c2|Neurology|Case two. What next?|null|c1|age|2"),
                rows(lake.read(Tables.CASES).orderBy("case_id").collectAsList()));
        assertEquals(List.of(
                        v + "|c1|1|Medication|Drug A|false|false",
                        v + "|c1|2|Referral|Refer|true|false",
                        v + "|c1|3|Follow-up|No additional testing or treatment|false|true",
                        v + "|c2|1|Diagnostic|Test X|false|false",
                        v + "|c2|2|Medication|Drug Y|false|false"),
                rows(lake.read(Tables.OPTIONS).orderBy("case_id", "option_no").collectAsList()));
        List<Row> annotations = lake.read(Tables.ANNOTATIONS).orderBy("case_id", "option_no", "annotator_id").collectAsList();
        assertEquals(17, annotations.size());
        assertEquals(v + "|c2|2|r3|highly_inappropriate|moderate|uncertain", rows(List.of(annotations.get(15))).get(0));

        // Labels: the hand-computed values of BenchmarkLabelsTest, with their set flags (HA, A, U, ESC).
        List<String> labels = rows(lake.read(Tables.OPTION_LABELS)
                .select("grading", "case_id", "option_no", "appropriateness", "harm_if_done_level", "harm_if_omitted_level",
                        "highly_appropriate", "appropriate", "uncertain", "escalation", "annotators", "specialty")
                .orderBy("grading", "case_id", "option_no").collectAsList());
        assertEquals(List.of(
                "Majority|c1|1|highly_appropriate|0|4|true|true|false|false|3|Cardiology",
                "Majority|c1|2|uncertain|0|0|false|false|true|true|3|Cardiology",
                "Majority|c1|3|highly_inappropriate|4|0|false|false|false|false|3|Cardiology",
                "Majority|c2|1|appropriate|0|3|false|true|false|false|4|Neurology",
                "Majority|c2|2|inappropriate|2|0|false|false|false|false|4|Neurology",
                "Unanimous|c1|1|appropriate|0|3|false|true|false|false|3|Cardiology",
                "Unanimous|c1|2|highly_inappropriate|0|0|false|false|false|true|3|Cardiology",
                "Unanimous|c1|3|highly_inappropriate|3|0|false|false|false|false|3|Cardiology",
                "Unanimous|c2|1|uncertain|0|2|false|false|true|false|4|Neurology",
                "Unanimous|c2|2|highly_inappropriate|1|0|false|false|false|false|4|Neurology"), labels);

        Row version = lake.read(Tables.DATASET_VERSIONS).collectAsList().get(0);
        assertEquals(v, version.getAs("dataset_version"));
        assertEquals(2, (int) version.getAs("cases"));
        assertEquals(17L, (long) version.getAs("annotations"));
        // One commit per table, and every data file on disk belongs to a table: nothing half written is left.
        for (var table : List.of(Tables.CASES, Tables.OPTIONS, Tables.ANNOTATIONS, Tables.OPTION_LABELS, Tables.DATASET_VERSIONS)) {
            assertEquals(1, lake.spark().table(lake.tableName(table) + ".snapshots").count(), table.name());
        }
        java.util.Set<String> referenced = new java.util.TreeSet<>();
        for (var table : Tables.all()) {
            lake.spark().table(lake.tableName(table) + ".files").select("file_path").collectAsList()
                    .forEach(r -> referenced.add(Path.of(java.net.URI.create(r.getString(0))).toString()));
        }
        java.util.Set<String> onDisk = new java.util.TreeSet<>();
        listFiles(tmp.resolve("lake/warehouse")).stream().filter(p -> p.toString().endsWith(".parquet")).forEach(p -> onDisk.add(p.toString()));
        assertEquals(referenced, onDisk);
        assertEquals(5, onDisk.size(), "a file per benchmark table");
    }

    @Test
    void identicalContentIsANoOpAndChangedContentIsANewVersion(SparkSession spark) throws IOException {
        Lake lake = new Lake(spark, tmp.resolve("lake").toString());
        IngestBenchmark ingest = new IngestBenchmark(lake);
        String first = ingest.ingest(fixture(BenchmarkFixture.tiny(), "a")).datasetVersion();
        Map<String, FileTime> before = snapshot(tmp.resolve("lake"));

        IngestBenchmark.Result again = ingest.ingest(fixture(BenchmarkFixture.tiny(), "b"));
        assertTrue(again.alreadyPresent());
        assertEquals(first, again.datasetVersion());
        assertEquals(before, snapshot(tmp.resolve("lake")), "a no-op ingest must not touch a file");

        String second = ingest.ingest(fixture(BenchmarkFixture.tiny()
                .replaceLine("cases.jsonl", 2, "{\"case_id\":\"c2\",\"specialty\":\"Neurology\",\"text\":\"Case two, revised. What next?\"}"),
                "c")).datasetVersion();
        assertNotEquals(first, second);
        assertEquals(List.of(first, second).stream().sorted().toList(),
                lake.read(Tables.DATASET_VERSIONS).select("dataset_version").orderBy("dataset_version")
                        .collectAsList().stream().map(r -> r.getString(0)).toList());
        // The old version stays readable beside the new one.
        Map<String, String> textByVersion = lake.read(Tables.CASES).where("case_id = 'c2'").collectAsList().stream()
                .collect(Collectors.toMap(r -> r.getAs("dataset_version"), r -> r.getAs("text")));
        assertEquals(Map.of(first, "Case two. What next?", second, "Case two, revised. What next?"), textByVersion);
    }

    @Test
    void aRejectedBenchmarkWritesNothing(SparkSession spark) throws IOException {
        Lake lake = new Lake(spark, tmp.resolve("lake").toString());
        new IngestBenchmark(lake).ingest(fixture(BenchmarkFixture.tiny(), "good"));
        Map<String, FileTime> before = snapshot(tmp.resolve("lake"));

        BenchmarkSource bad = fixture(BenchmarkFixture.tiny().replaceLine("annotations.jsonl", 1,
                BenchmarkFixture.ann("c1", 1, "r1", "appropriate", "none", "catastrophic")), "bad");
        assertThrows(InvalidInputException.class, () -> new IngestBenchmark(lake).ingest(bad));
        assertEquals(before, snapshot(tmp.resolve("lake")));

        Lake fresh = new Lake(spark, tmp.resolve("fresh-lake").toString());
        assertThrows(InvalidInputException.class, () -> new IngestBenchmark(fresh).ingest(bad));
        assertFalse(Files.exists(tmp.resolve("fresh-lake")), "a rejected first ingest must not even create the lake");
    }

    @Test
    void bundledSampleIngests(SparkSession spark) {
        Lake lake = new Lake(spark, tmp.resolve("lake").toString());
        IngestBenchmark.Result result = new IngestBenchmark(lake).ingest(BenchmarkSource.bundledSample());
        assertEquals(20, result.cases());
        assertEquals(2L * result.options(), lake.read(Tables.OPTION_LABELS).count());
    }

    private static List<String> rows(List<Row> rows) {
        return rows.stream().map(r -> {
            StringBuilder s = new StringBuilder();
            for (int i = 0; i < r.length(); i++) {
                s.append(i == 0 ? "" : "|").append(r.get(i));
            }
            return s.toString();
        }).toList();
    }

    private static Map<String, FileTime> snapshot(Path root) throws IOException {
        Map<String, FileTime> files = new TreeMap<>();
        for (Path p : listFiles(root)) {
            files.put(root.relativize(p).toString(), Files.getLastModifiedTime(p));
        }
        return files;
    }

    private static List<Path> listFiles(Path root) {
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
