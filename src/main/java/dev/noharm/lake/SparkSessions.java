package dev.noharm.lake;

import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/** Builds the SparkSession every job runs in, with the settings the pipeline relies on. */
public final class SparkSessions {
    private SparkSessions() {}

    /**
     * Uses the master and settings given by spark-submit; falls back to {@code local[*]} when started
     * without one (from an IDE or a test).
     */
    public static SparkSession getOrCreate(String appName) {
        SparkConf conf = new SparkConf();
        if (!conf.contains("spark.master")) {
            conf.setMaster("local[*]");
        }
        conf.setAppName(appName)
                // Readers pass each table's schema; never guess a version folder like "0123" is a number.
                .set("spark.sql.sources.partitionColumnTypeInference.enabled", "false")
                // Model calls cost money: a speculative copy of a task would pay twice.
                .set("spark.speculation", "false");
        if (conf.get("spark.master").startsWith("local") && !conf.contains("spark.sql.shuffle.partitions")) {
            // One machine: a few shuffle partitions per core. Spark's default of 200 turns each of the pipeline's
            // many small aggregations into 200 tasks of nothing (the demo's score took twice as long).
            conf.set("spark.sql.shuffle.partitions", Integer.toString(4 * Runtime.getRuntime().availableProcessors()));
        }
        if (!conf.contains("spark.sql.optimizer.canChangeCachedPlanOutputPartitioning")) {
            // Let adaptive execution coalesce the last stage of a cached plan too (an internal setting; Spark 4's
            // default keeps that stage's shuffle partitions, so that later reads may rely on its partitioning). A score
            // caches its parsed responses, a union of five branches: on a cluster's 200 shuffle partitions each read of
            // them was 1000 tasks of a few rows, and the 20-case score on the test cluster ran 4655 tasks instead of 77.
            conf.set("spark.sql.optimizer.canChangeCachedPlanOutputPartitioning", "true");
        }
        if (!conf.contains("spark.sql.extensions")) {
            // Iceberg's SQL: CALL procedures (rewrite_data_files, expire_snapshots, ...) and its DDL, for `sql` users.
            conf.set("spark.sql.extensions", "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions");
        }
        return SparkSession.builder().config(conf).getOrCreate();
    }
}
