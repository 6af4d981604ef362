package dev.noharm.scoring;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.function.MapFunction;
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
        int textIndex = in.fieldIndex(textColumn);
        int countIndex = in.fieldIndex("option_count");
        MapFunction<Row, Row> parseOne = row -> appended(row, row.length(),
                values(kind.parse(row.isNullAt(textIndex) ? null : row.getString(textIndex), row.getInt(countIndex))));
        return responses.map(parseOne, Encoders.row(withParseColumns(in)));
    }

    /** {@code schema} with the four parse columns after its own. */
    public static StructType withParseColumns(StructType schema) {
        return schema
                .add(DataTypes.createStructField("parse_failure", DataTypes.BooleanType, false))
                .add(DataTypes.createStructField("invalid_entries", DataTypes.IntegerType, false))
                .add(DataTypes.createStructField("conflicting", DataTypes.BooleanType, false))
                .add(DataTypes.createStructField("recommended_options", DataTypes.createArrayType(DataTypes.IntegerType, false), false));
    }

    /** The parse columns' values of {@code parsed}, in {@link #withParseColumns} order, as Spark rows hold them. */
    public static Object[] values(ParsedResponse parsed) {
        List<Integer> recommended = new ArrayList<>(parsed.recommended().length);
        for (int option : parsed.recommended()) {
            recommended.add(option);
        }
        return new Object[] {parsed.parseFailure(), parsed.invalidEntries(), parsed.conflicting(),
            scala.jdk.javaapi.CollectionConverters.asScala(recommended).toSeq()};
    }

    /** The first {@code keep} values of {@code row}, then {@code more}. */
    public static Row appended(Row row, int keep, Object... more) {
        Object[] values = new Object[keep + more.length];
        for (int i = 0; i < keep; i++) {
            values[i] = row.get(i);
        }
        System.arraycopy(more, 0, values, keep, more.length);
        return RowFactory.create(values);
    }
}
