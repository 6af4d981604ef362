package dev.noharm.generation;

import java.io.Serializable;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * Every run-level setting a generation job reads, resolved once and typed. Each is looked up in a fixed order
 * and the first source that has it wins: the command line (an option, or {@code --conf spark.noharm.generate.*}),
 * then the run spec, then the default. Model-level settings (limits, request parameters, prices) come from the
 * model registry alone ({@link ModelSpec}). Spark's own settings that the job depends on are read here too,
 * once, so no other class reads the Spark configuration.
 */
public record GenerationSettings(
        String lakeUri,
        String datasetVersion,
        Double budgetUsd,
        int concurrencyPerTask,
        int progressSeconds,
        RunSpec.Retry retry,
        RunSpec.Commit commit,
        int leaseWaitSeconds,
        int leaseTtlSeconds,
        boolean compactAfterJob,
        boolean speculation,
        String driverHost,
        int interruptGraceSeconds,
        int chaosFailFirstAttemptAfterCommits,
        int batchPollSeconds,
        boolean batchWait) implements Serializable {

    /** Spark setting that makes the first attempt of every task fail after N commits (for testing recovery). */
    public static final String CHAOS_FAIL_AFTER_COMMITS = "spark.noharm.chaos.failFirstAttemptAfterCommits";
    /** Prefix of the command-line Spark settings that override the run spec: {@code spark.noharm.generate.<field>}. */
    public static final String CONF_PREFIX = "spark.noharm.generate.";

    public static final String DEFAULT_LAKE = "./lake";
    public static final int DEFAULT_CONCURRENCY_PER_TASK = 16;
    public static final int DEFAULT_PROGRESS_SECONDS = 10;
    /** How long a driver's lease on its models lasts unless renewed (it renews every third of it): a dead driver's work is free after this. */
    public static final int DEFAULT_LEASE_TTL_SECONDS = 120;
    /** After SIGINT or SIGTERM, how long the calls under way may take to finish before they are abandoned. */
    public static final int DEFAULT_INTERRUPT_GRACE_SECONDS = 30;
    /** How often a job polls its open provider batches. */
    public static final int DEFAULT_BATCH_POLL_SECONDS = 60;

    /** Options given on the command line; null where not given. */
    public record CommandLine(String lakeUri, String datasetVersion, Double budgetUsd, Integer leaseWaitSeconds, Boolean batchWait) {
        public static final CommandLine NONE = new CommandLine(null, null, null, null, null);

        public CommandLine(String lakeUri, String datasetVersion, Double budgetUsd) {
            this(lakeUri, datasetVersion, budgetUsd, null, null);
        }
    }

    /** With the session's settings: those given to spark-submit and those set on the session since. */
    public static GenerationSettings resolve(CommandLine cli, RunSpec spec, SparkSession spark) {
        return resolve(cli, spec, key -> {
            scala.Option<String> value = spark.conf().getOption(key);
            return value.isDefined() ? Optional.of(value.get()) : Optional.empty();
        });
    }

    public static GenerationSettings resolve(CommandLine cli, RunSpec spec, SparkConf conf) {
        return resolve(cli, spec, key -> conf.contains(key) ? Optional.of(conf.get(key)) : Optional.empty());
    }

    private static GenerationSettings resolve(CommandLine cli, RunSpec spec, Function<String, Optional<String>> sparkConf) {
        return new GenerationSettings(
                new Setting<String>("lake").commandLine(cli.lakeUri()).sparkConf(sparkConf, CONF_PREFIX + "lake", s -> s)
                        .runSpec(spec.lake()).orDefault(DEFAULT_LAKE),
                new Setting<String>("dataset_version").commandLine(cli.datasetVersion())
                        .sparkConf(sparkConf, CONF_PREFIX + "dataset_version", s -> s).runSpec(spec.datasetVersion()).orDefault("latest"),
                new Setting<Double>("budget_usd").commandLine(cli.budgetUsd())
                        .sparkConf(sparkConf, CONF_PREFIX + "budget_usd", Double::parseDouble).runSpec(spec.budgetUsd()).orDefault(null),
                new Setting<Integer>("concurrency_per_task").sparkConf(sparkConf, CONF_PREFIX + "concurrency_per_task", Integer::parseInt)
                        .runSpec(spec.concurrencyPerTask()).orDefault(DEFAULT_CONCURRENCY_PER_TASK),
                new Setting<Integer>("progress_seconds").sparkConf(sparkConf, CONF_PREFIX + "progress_seconds", Integer::parseInt)
                        .runSpec(spec.progressSeconds()).orDefault(DEFAULT_PROGRESS_SECONDS),
                spec.retry(),
                spec.commit(),
                new Setting<Integer>("lease_wait_seconds").commandLine(cli.leaseWaitSeconds())
                        .sparkConf(sparkConf, CONF_PREFIX + "lease_wait_seconds", Integer::parseInt).orDefault(0),
                new Setting<Integer>("lease_ttl_seconds").sparkConf(sparkConf, CONF_PREFIX + "lease_ttl_seconds", Integer::parseInt)
                        .orDefault(DEFAULT_LEASE_TTL_SECONDS),
                new Setting<Boolean>("compact").sparkConf(sparkConf, CONF_PREFIX + "compact", Boolean::parseBoolean).orDefault(true),
                sparkConf.apply("spark.speculation").map(v -> Boolean.parseBoolean(v.trim())).orElse(false),
                sparkConf.apply("spark.driver.host").orElse("127.0.0.1"),
                new Setting<Integer>("interrupt_grace_seconds").sparkConf(sparkConf, CONF_PREFIX + "interrupt_grace_seconds", Integer::parseInt)
                        .orDefault(DEFAULT_INTERRUPT_GRACE_SECONDS),
                new Setting<Integer>("chaos").sparkConf(sparkConf, CHAOS_FAIL_AFTER_COMMITS, Integer::parseInt).orDefault(0),
                new Setting<Integer>("batch.poll_seconds").sparkConf(sparkConf, CONF_PREFIX + "batch_poll_seconds", Integer::parseInt)
                        .runSpec(spec.batch().pollSeconds()).orDefault(DEFAULT_BATCH_POLL_SECONDS),
                new Setting<Boolean>("batch.wait").commandLine(cli.batchWait()).sparkConf(sparkConf, CONF_PREFIX + "batch_wait", Boolean::parseBoolean)
                        .runSpec(spec.batch().waitForResults()).orDefault(true));
    }

    /** One setting's lookup, in precedence order: the first source with a value wins. */
    static final class Setting<T> {
        private final String name;
        private T value;
        private boolean found;

        Setting(String name) {
            this.name = name;
        }

        Setting<T> commandLine(T given) {
            return offer(given);
        }

        Setting<T> sparkConf(Function<String, Optional<String>> conf, String key, Function<String, T> parse) {
            if (found) {
                return this;
            }
            Optional<String> raw = conf.apply(key);
            if (raw.isPresent()) {
                try {
                    return offer(parse.apply(raw.get().trim()));
                } catch (RuntimeException e) {
                    throw new IllegalArgumentException(key + " (" + name + "): cannot read \"" + raw.get() + "\": " + e.getMessage(), e);
                }
            }
            return this;
        }

        Setting<T> runSpec(T given) {
            return offer(given);
        }

        T orDefault(T defaultValue) {
            return found ? value : defaultValue;
        }

        private Setting<T> offer(T given) {
            if (!found && given != null) {
                value = given;
                found = true;
            }
            return this;
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%s=%s", name, value);
        }
    }
}
