package dev.noharm.judging;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.struct;

import dev.noharm.scoring.ParsedResponse;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
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
     * @param answers free-text answers with {@code responder}, {@code trial}, {@code case_id}, {@code response_text} and
     *     {@code option_count}
     * @param judgments the judgments to count ({@link Judgments#latest})
     */
    public static Dataset<Row> apply(Dataset<Row> answers, Dataset<Row> judgments, Jury.Rule rule) {
        Dataset<Row> votes = judgments
                .groupBy("responder", "trial", "case_id")
                .agg(collect_list(struct(col("parse_failure"), col("invalid_entries"), col("conflicting"), col("recommended_options")))
                        .as("jury_votes"));
        Dataset<Row> joined = answers.join(votes, scala.jdk.javaapi.CollectionConverters.asScala(List.of("responder", "trial", "case_id"))
                .toSeq(), "left");
        StructType in = answers.schema();
        StructType out = in
                .add(DataTypes.createStructField("parse_failure", DataTypes.BooleanType, false))
                .add(DataTypes.createStructField("invalid_entries", DataTypes.IntegerType, false))
                .add(DataTypes.createStructField("conflicting", DataTypes.BooleanType, false))
                .add(DataTypes.createStructField("recommended_options", DataTypes.createArrayType(DataTypes.IntegerType, false), false))
                .add(DataTypes.createStructField("judges", DataTypes.IntegerType, false))
                .add(DataTypes.createStructField("plan_flag", DataTypes.StringType, true));
        String[] names = in.fieldNames();
        MapPartitionsFunction<Row, Row> decide = rows -> new Iterator<>() {
            @Override
            public boolean hasNext() {
                return rows.hasNext();
            }

            @Override
            public Row next() {
                Row row = rows.next();
                List<ParsedResponse> judges = new ArrayList<>();
                int votesIndex = row.fieldIndex("jury_votes");
                if (!row.isNullAt(votesIndex)) {
                    for (Row vote : row.<Row>getList(votesIndex)) {
                        List<Integer> recommended = vote.getList(3);
                        judges.add(new ParsedResponse(vote.getBoolean(0), recommended.stream().mapToInt(Integer::intValue).sorted().toArray(),
                                vote.getInt(1), vote.getBoolean(2)));
                    }
                }
                ParsedResponse verdict = Jury.verdict(judges, row.getInt(row.fieldIndex("option_count")), rule);
                Object[] values = new Object[names.length + 6];
                for (int i = 0; i < names.length; i++) {
                    values[i] = row.get(row.fieldIndex(names[i]));
                }
                values[names.length] = verdict.parseFailure();
                values[names.length + 1] = verdict.invalidEntries();
                values[names.length + 2] = verdict.conflicting();
                List<Integer> recommended = new ArrayList<>();
                for (int option : verdict.recommended()) {
                    recommended.add(option);
                }
                values[names.length + 3] = scala.jdk.javaapi.CollectionConverters.asScala(recommended).toSeq();
                values[names.length + 4] = (int) judges.stream().filter(j -> !j.parseFailure()).count();
                int textIndex = row.fieldIndex("response_text");
                values[names.length + 5] = PlanFlags.flag(row.isNullAt(textIndex) ? null : row.getString(textIndex)).orElse(null);
                return RowFactory.create(values);
            }
        };
        return joined.mapPartitions(decide, Encoders.row(out));
    }
}
