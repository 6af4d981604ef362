package dev.noharm.scoring;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.first;
import static org.apache.spark.sql.functions.lit;

import dev.noharm.lake.JoinKeys;
import dev.noharm.lake.Lake;
import dev.noharm.lake.Tables;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The paired difference of every metric between two responders (B minus A) on the cases both answered,
 * with a seeded case-bootstrap 95% percentile interval: a model against the physicians, or a new model
 * version against the old one.
 */
public final class Comparison {
    /** A responder as scored: id, version ("" for imports) and condition. */
    public record Responder(String id, String version, String condition) {
        /** {@code id}, {@code id@version}, optionally followed by {@code :condition}. */
        public static Responder parse(String text) {
            String condition = null;
            int colon = text.lastIndexOf(':');
            if (colon > 0) {
                condition = text.substring(colon + 1);
                text = text.substring(0, colon);
            }
            int at = text.indexOf('@');
            return new Responder(at < 0 ? text : text.substring(0, at), at < 0 ? null : text.substring(at + 1), condition);
        }
    }

    /** One compared metric. */
    public record Difference(String grading, String scope, String harm, String metric, double a, double b, double difference,
            double low, double high, long cases, long replicates) {}

    private final Lake lake;

    public Comparison(Lake lake) {
        this.lake = lake;
    }

    /** Over all cases only. */
    public List<Difference> compare(String datasetVersion, Responder a, Responder b, int replicates, long seed) {
        return compare(datasetVersion, a, b, replicates, seed, false);
    }

    /**
     * With {@code perSpecialty}, also per specialty ({@code scope} = {@code Specialty=<name>}), on the same
     * case draws: a specialty's cases in a replicate are those drawn among the common cases.
     */
    public List<Difference> compare(String datasetVersion, Responder a, Responder b, int replicates, long seed, boolean perSpecialty) {
        Dataset<Row> caseResults = lake.read(Tables.CASE_RESULTS).where(col("dataset_version").equalTo(datasetVersion));
        Dataset<Row> resultsA = select(caseResults, a);
        Dataset<Row> resultsB = select(caseResults, b);
        Set<String> casesA = caseIds(resultsA);
        Set<String> common = new HashSet<>(caseIds(resultsB));
        common.retainAll(casesA);
        if (common.isEmpty()) {
            throw new IllegalArgumentException("no case was answered by both " + a + " and " + b + " in dataset version " + datasetVersion);
        }
        List<String> commonCases = common.stream().sorted().toList();
        Dataset<Row> both = resultsA.withColumn("side", lit("a"))
                .unionByName(resultsB.withColumn("side", lit("b")))
                .where(col("case_id").isin(commonCases.toArray()));
        // Each side keeps its own identity through "responder"; "side" says which is which.
        Dataset<Row> means = ResponderMetrics.replicateMeans(both.withColumn("responder", col("side")),
                new ResponderMetrics.CaseSets(perSpecialty, java.util.Map.of()), new ResponderMetrics.Bootstrap(commonCases, replicates, seed, true));
        Dataset<Row> paired = means.groupBy("replicate", "grading", "cases", "harm", "metric")
                .pivot("responder", List.of("a", "b"))
                .agg(first("mean"))
                .where(col("a").isNotNull().and(col("b").isNotNull()))
                .withColumn("difference", col("b").minus(col("a")));
        Dataset<Row> point = paired.where(col("replicate").equalTo(0));
        Dataset<Row> intervals = paired.where(col("replicate").gt(0)).groupBy("grading", "cases", "harm", "metric")
                .agg(expr("percentile(difference, 0.025)").as("low"), expr("percentile(difference, 0.975)").as("high"),
                        count("difference").as("replicates"));
        List<Difference> out = new ArrayList<>();
        Dataset<Row> casesPerScope = both.where(col("side").equalTo("a"))
                .withColumn("cases", perSpecialty ? explode(array(lit("AllCases"), concat(lit("Specialty="), col("specialty")))) : lit("AllCases"))
                .groupBy("grading", "cases").agg(countDistinct("case_id").as("scope_cases"));
        for (Row r : point.join(intervals, JoinKeys.of("grading", "cases", "harm", "metric"))
                .join(casesPerScope, JoinKeys.of("grading", "cases"))
                .orderBy("grading", "cases", "metric", "harm").collectAsList()) {
            out.add(new Difference(r.getAs("grading"), r.getAs("cases"), r.getAs("harm"), r.getAs("metric"), r.getAs("a"), r.getAs("b"),
                    r.getAs("difference"), r.getAs("low"), r.getAs("high"), r.<Long>getAs("scope_cases"), r.getAs("replicates")));
        }
        return out;
    }

    private static Dataset<Row> select(Dataset<Row> caseResults, Responder r) {
        Dataset<Row> selected = caseResults.where(col("responder").equalTo(r.id()));
        if (r.version() != null) {
            selected = selected.where(col("version").equalTo(r.version()));
        }
        if (r.condition() != null) {
            selected = selected.where(col("condition").equalTo(r.condition()));
        }
        List<Row> identities = selected.select("version", "condition").distinct().collectAsList();
        if (identities.size() != 1) {
            throw new IllegalArgumentException("responder " + r.id() + " matches " + identities.size()
                    + " scored (version, condition) pairs " + identities + "; name one as id@version or id:condition");
        }
        return selected;
    }

    private static Set<String> caseIds(Dataset<Row> results) {
        Set<String> ids = new HashSet<>();
        results.select("case_id").distinct().collectAsList().forEach(row -> ids.add(row.getString(0)));
        return ids;
    }
}
