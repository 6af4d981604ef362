package dev.noharm.scoring;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_set;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.when;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;

/**
 * How reports and exports name a responder: its display name, and where several responders share that name
 * (two versions of one model, a model under two conditions) the version and condition in brackets, for
 * example "GPT-4o mini (v2, Advisor)". One rule, so a chart's bar and a CSV row carry the same name.
 */
public final class ResponderLabels {
    private ResponderLabels() {}

    /** {@code rows} (with responder, version, condition and display_name) with a {@code label} column added. */
    public static Dataset<Row> withLabels(Dataset<Row> rows) {
        Column shared = size(collect_set(concat_ws("\u0000", col("responder"), col("version"), col("condition")))
                .over(Window.partitionBy("display_name"))).gt(1);
        Column detail = concat_ws(", ", when(col("version").notEqual(""), concat(lit("v"), col("version"))), col("condition"));
        return rows.withColumn("label", when(shared, concat(col("display_name"), lit(" ("), detail, lit(")")))
                .otherwise(col("display_name")));
    }
}
