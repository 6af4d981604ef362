package dev.noharm.testing;

import dev.noharm.lake.SparkSessions;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * One real local-mode SparkSession for the whole test run, built by the same code the jobs use and
 * stopped when the run ends. Tests receive it as a {@code SparkSession} parameter.
 */
public final class SparkTestSession implements ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(SparkTestSession.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == SparkSession.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE)
                .getOrComputeIfAbsent("spark", key -> new Holder(start()), Holder.class).spark;
    }

    private static SparkSession start() {
        // SparkConf reads spark.* system properties, as it does the settings spark-submit passes.
        // Two task slots, and one retry of a failed task, as on a cluster (plain local[2] never retries).
        System.setProperty("spark.master", "local[2,2]");
        System.setProperty("spark.ui.enabled", "false");
        System.setProperty("spark.sql.shuffle.partitions", "4");
        System.setProperty("spark.driver.host", "127.0.0.1");
        // The fixtures are tiny, so compiling generated code costs more than it saves: interpreted
        // expressions make the suite faster. The jobs under submit.sh (the *IT tests) keep code generation.
        System.setProperty("spark.sql.codegen.wholeStage", "false");
        System.setProperty("spark.sql.codegen.factoryMode", "NO_CODEGEN");
        return SparkSessions.getOrCreate("noharm-tests");
    }

    private record Holder(SparkSession spark) implements ExtensionContext.Store.CloseableResource {
        @Override
        public void close() {
            spark.stop();
        }
    }
}
