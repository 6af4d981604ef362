package dev.noharm.scoring;

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
 * Parses every response on the executors with {@link ResponseParser}, adding the parse outcome columns: an answer
 * to the options task (CONTRACT section 3), or a judge's answer on a free-text plan (section 6).
 */
public final class ResponseParsing {
    private ResponseParsing() {}

    /** Which of the contract's arrays a text holds. */
    public enum Kind {
        ANSWER, JUDGMENT;

        ParsedResponse parse(String text, int optionCount) {
            return this == ANSWER ? ResponseParser.parse(text, optionCount) : ResponseParser.parseJudgment(text, optionCount);
        }
    }

    /** {@code responses} must have {@code response_text} and {@code option_count}; adds the parse columns. */
    static Dataset<Row> parse(Dataset<Row> responses) {
        return parse(responses, Kind.ANSWER, "response_text");
    }

    /**
     * Adds {@code parse_failure}, {@code invalid_entries}, {@code conflicting} and {@code recommended_options} to
     * {@code rows}, parsing the text of column {@code textColumn} against {@code option_count} options.
     */
    public static Dataset<Row> parse(Dataset<Row> responses, Kind kind, String textColumn) {
        StructType in = responses.schema();
        StructType out = in
                .add(DataTypes.createStructField("parse_failure", DataTypes.BooleanType, false))
                .add(DataTypes.createStructField("invalid_entries", DataTypes.IntegerType, false))
                .add(DataTypes.createStructField("conflicting", DataTypes.BooleanType, false))
                .add(DataTypes.createStructField("recommended_options", DataTypes.createArrayType(DataTypes.IntegerType, false), false));
        int textIndex = in.fieldIndex(textColumn);
        int countIndex = in.fieldIndex("option_count");
        int width = in.fields().length;
        MapPartitionsFunction<Row, Row> parseAll = rows -> new Iterator<>() {
            @Override
            public boolean hasNext() {
                return rows.hasNext();
            }

            @Override
            public Row next() {
                Row row = rows.next();
                ParsedResponse parsed = kind.parse(row.isNullAt(textIndex) ? null : row.getString(textIndex), row.getInt(countIndex));
                Object[] values = new Object[width + 4];
                for (int i = 0; i < width; i++) {
                    values[i] = row.get(i);
                }
                values[width] = parsed.parseFailure();
                values[width + 1] = parsed.invalidEntries();
                values[width + 2] = parsed.conflicting();
                List<Integer> recommended = new ArrayList<>(parsed.recommended().length);
                for (int option : parsed.recommended()) {
                    recommended.add(option);
                }
                values[width + 3] = scala.jdk.javaapi.CollectionConverters.asScala(recommended).toSeq();
                return RowFactory.create(values);
            }
        };
        return responses.mapPartitions(parseAll, Encoders.row(out));
    }
}
