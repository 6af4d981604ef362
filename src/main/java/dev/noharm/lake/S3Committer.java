package dev.noharm.lake;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;

/**
 * Commits on S3: Spark's default committer renames task output into place, and a rename on S3 is a copy
 * that a failure can leave half done. For an {@code s3a://} lake, Spark writes through Hadoop's S3A
 * <em>magic</em> committer instead: each task uploads its files as pending multipart uploads under the
 * destination's {@code __magic} folder, nothing is visible until the job commit completes them, and an
 * aborted job leaves nothing. Settings a user gives (with {@code --conf}) win over these defaults.
 */
final class S3Committer {
    static final String COMMIT_PROTOCOL = "org.apache.spark.internal.io.cloud.PathOutputCommitProtocol";
    static final String PARQUET_COMMITTER = "org.apache.spark.internal.io.cloud.BindingParquetOutputCommitter";

    private S3Committer() {}

    static void configure(SparkSession spark) {
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        setIfAbsent(hadoop, "fs.s3a.committer.name", "magic");
        setIfAbsent(hadoop, "fs.s3a.committer.magic.enabled", "true");
        setIfAbsent(hadoop, "mapreduce.outputcommitter.factory.scheme.s3a", "org.apache.hadoop.fs.s3a.commit.S3ACommitterFactory");
        if (!spark.conf().contains("spark.sql.sources.commitProtocolClass")) {
            spark.conf().set("spark.sql.sources.commitProtocolClass", COMMIT_PROTOCOL);
        }
        if (!spark.conf().contains("spark.sql.parquet.output.committer.class")) {
            spark.conf().set("spark.sql.parquet.output.committer.class", PARQUET_COMMITTER);
        }
    }

    private static void setIfAbsent(Configuration conf, String key, String value) {
        if (conf.get(key) == null) {
            conf.set(key, value);
        }
    }
}
