package dev.noharm.lake;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The data lake rooted at a Hadoop URI ({@code ./lake}, {@code file:/...}, {@code s3a://bucket/prefix}).
 *
 * <p>Writers never write into a table's folder directly: they write a partition under
 * {@code _staging/} and {@link #publish} moves it into place, so a failed or killed job leaves nothing
 * visible. Folders starting with {@code _} are invisible to Spark's partition discovery.
 */
public final class Lake {
    private final SparkSession spark;
    private final Path root;

    public Lake(SparkSession spark, String uri) {
        this.spark = spark;
        this.root = qualify(new Path(uri), spark.sparkContext().hadoopConfiguration());
        if ("s3a".equals(root.toUri().getScheme())) {
            S3Committer.configure(spark);
        }
    }

    public String uri() {
        return root.toString();
    }

    public SparkSession spark() {
        return spark;
    }

    public Path tablePath(LakeTable table) {
        return new Path(root, table.path());
    }

    /** The folder of one partition, e.g. {@code benchmark/cases/dataset_version=abc}. */
    public Path partitionPath(LakeTable table, String... values) {
        if (values.length == 0 || values.length > table.partitionColumns().size()) {
            throw new IllegalArgumentException(table.name() + " is partitioned by " + table.partitionColumns());
        }
        Path path = tablePath(table);
        for (int i = 0; i < values.length; i++) {
            path = new Path(path, table.partitionColumns().get(i) + "=" + values[i]);
        }
        return path;
    }

    /** A fresh, unique folder for one job's staged output. */
    public Path newStagingDir(String purpose) {
        return new Path(root, "_staging/" + purpose + "-" + UUID.randomUUID());
    }

    public boolean exists(Path path) {
        try {
            return fs(path).exists(path);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot check " + path, e);
        }
    }

    /**
     * Moves a staged folder to its final place. A leftover at the destination (from a job killed between
     * two publishes of the same commit, never from a committed one) is replaced.
     */
    public void publish(Path staged, Path destination) {
        try {
            FileSystem fs = fs(destination);
            if (fs.exists(destination)) {
                fs.delete(destination, true);
            }
            fs.mkdirs(destination.getParent());
            if (!fs.rename(staged, destination)) {
                throw new IOException("rename returned false");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot publish " + staged + " to " + destination, e);
        }
    }

    /**
     * Moves every file of a staged folder into {@code destination}, keeping what is there: for tables that
     * grow by whole files (score_runs, regressions). Each move is a single rename, so a reader sees a file
     * whole or not at all; Spark's part-file names are unique, so nothing is overwritten.
     */
    public void appendFiles(Path staged, Path destination) {
        try {
            FileSystem fs = fs(destination);
            fs.mkdirs(destination);
            for (var status : fs.listStatus(staged)) {
                String name = status.getPath().getName();
                if (status.isFile() && !name.startsWith("_") && !name.startsWith(".")) {
                    if (!fs.rename(status.getPath(), new Path(destination, name))) {
                        throw new IOException("rename of " + name + " returned false");
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append " + staged + " to " + destination, e);
        }
    }

    public void deleteQuietly(Path path) {
        try {
            fs(path).delete(path, true);
        } catch (IOException e) {
            // Staging leftovers are invisible to readers; failing to clean one must not fail the job.
        }
    }

    /** A table with its declared schema; empty (with that schema) when nothing was written yet. */
    public Dataset<Row> read(LakeTable table) {
        Path path = tablePath(table);
        if (!exists(path)) {
            return spark.createDataFrame(java.util.List.of(), table.schema());
        }
        // Spark appends partition columns; select restores the declared column order.
        return spark.read().schema(table.schema()).parquet(path.toString())
                .selectExpr(java.util.Arrays.stream(table.schema().fieldNames()).map(n -> "`" + n + "`").toArray(String[]::new));
    }

    private FileSystem fs(Path path) throws IOException {
        return path.getFileSystem(spark.sparkContext().hadoopConfiguration());
    }

    private static Path qualify(Path path, Configuration conf) {
        try {
            return path.getFileSystem(conf).makeQualified(path);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open lake " + path, e);
        }
    }
}
