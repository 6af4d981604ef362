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

/** Parses every response on the executors with {@link ResponseParser}, adding the parse outcome columns. */
final class ResponseParsing {
    private ResponseParsing() {}

    /** {@code responses} must have {@code response_text} and {@code option_count}; adds the parse columns. */
    static Dataset<Row> parse(Dataset<Row> responses) {
        StructType in = responses.schema();
        StructType out = in
                .add(DataTypes.createStructField("parse_failure", DataTypes.BooleanType, false))
                .add(DataTypes.createStructField("invalid_entries", DataTypes.IntegerType, false))
                .add(DataTypes.createStructField("conflicting", DataTypes.BooleanType, false))
                .add(DataTypes.createStructField("recommended_options", DataTypes.createArrayType(DataTypes.IntegerType, false), false));
        int textIndex = in.fieldIndex("response_text");
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
                ParsedResponse parsed = ResponseParser.parse(row.isNullAt(textIndex) ? null : row.getString(textIndex),
                        row.getInt(countIndex));
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
