package dev.noharm.judging;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.struct;

import dev.noharm.lake.JoinKeys;
import dev.noharm.scoring.ParsedResponse;
import dev.noharm.scoring.ResponseParsing;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Free-text answers as scoring needs them (CONTRACT section 6): each answer's R_c is the jury's verdict over the
 * judgments of that (responder, trial, case), under one rule, computed on the executors by {@link Jury#verdict}. The
 * columns are those a parsed options answer has, so that sections 2-5 apply unchanged, and two more: {@code judges}
 * (m, the judges that parsed) and {@code plan_flag} ({@link PlanFlags}).
 */
public final class JuryVerdicts {
    private JuryVerdicts() {}

    /**
     * @param answers free-text answers with {@code responder}, {@code trial}, {@code case_id}, {@code work_key} (null for
     *     imported answers), {@code response_text} and {@code option_count}
     * @param judgments the judgments to count ({@link Judgments#latest})
     */
    public static Dataset<Row> apply(Dataset<Row> answers, Dataset<Row> judgments, Jury.Rule rule) {
        Dataset<Row> votes = judgments
                .groupBy("answer_key")
                .agg(collect_list(struct(col("parse_failure"), col("invalid_entries"), col("conflicting"), col("recommended_options")))
                        .as("jury_votes"));
        Dataset<Row> joined = answers.withColumn("answer_key", Judgments.answerKey(col("work_key"))).join(votes, JoinKeys.of("answer_key"),
                "left");
        StructType in = answers.schema();
        StructType out = ResponseParsing.withParseColumns(in)
                .add(DataTypes.createStructField("judges", DataTypes.IntegerType, false))
                .add(DataTypes.createStructField("plan_flag", DataTypes.StringType, true));
        // The answer's own columns in its order (the join put its keys first), then the verdict's.
        Dataset<Row> ordered = joined.select(Stream.concat(Stream.of(in.fieldNames()), Stream.of("jury_votes")).map(name -> col(name))
                .toArray(Column[]::new));
        int width = in.fields().length;
        int textIndex = in.fieldIndex("response_text");
        int countIndex = in.fieldIndex("option_count");
        MapFunction<Row, Row> decide = row -> {
            List<ParsedResponse> judges = new ArrayList<>();
            if (!row.isNullAt(width)) {
                for (Row vote : row.<Row>getList(width)) {
                    List<Integer> recommended = vote.getList(3);
                    judges.add(new ParsedResponse(vote.getBoolean(0), recommended.stream().mapToInt(Integer::intValue).sorted().toArray(),
                            vote.getInt(1), vote.getBoolean(2)));
                }
            }
            ParsedResponse verdict = Jury.verdict(judges, row.getInt(countIndex), rule);
            Object[] parsed = ResponseParsing.values(verdict);
            Object[] values = java.util.Arrays.copyOf(parsed, parsed.length + 2);
            values[parsed.length] = (int) judges.stream().filter(j -> !j.parseFailure()).count();
            values[parsed.length + 1] = PlanFlags.flag(row.isNullAt(textIndex) ? null : row.getString(textIndex)).orElse(null);
            return ResponseParsing.appended(row, width, values);
        };
        return ordered.map(decide, Encoders.row(out));
    }
}
