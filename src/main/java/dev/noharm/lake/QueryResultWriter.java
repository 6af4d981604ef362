package dev.noharm.lake;

import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.dataformat.csv.CsvGenerator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

/**
 * Prints a query result as an aligned text table, CSV (header first) or JSON Lines (Spark's own JSON
 * encoding, nulls kept). At most {@code maxRows} rows are printed (0 = all); rows are streamed from the
 * executors, never collected whole, except the shown rows of a text table (widths need them).
 */
public final class QueryResultWriter {
    public enum Format { table, csv, json }

    private final Format format;
    private final int maxRows;

    public QueryResultWriter(Format format, int maxRows) {
        this.format = format;
        this.maxRows = maxRows;
    }

    /** Writes the result; returns how many rows were printed and whether more were left out. */
    public Printed write(Dataset<Row> result, PrintWriter out) {
        return switch (format) {
            case table -> table(result, out);
            case csv -> csv(result, out);
            case json -> json(result, out);
        };
    }

    public record Printed(long rows, boolean truncated) {}

    private Printed table(Dataset<Row> result, PrintWriter out) {
        String[] header = result.columns();
        List<String[]> cells = new ArrayList<>();
        Iterator<Row> rows = result.toLocalIterator();
        boolean truncated = false;
        while (rows.hasNext()) {
            Row row = rows.next();
            if (maxRows > 0 && cells.size() == maxRows) {
                truncated = true;
                break;
            }
            String[] line = new String[header.length];
            for (int i = 0; i < header.length; i++) {
                line[i] = row.isNullAt(i) ? "NULL" : String.valueOf(row.get(i));
            }
            cells.add(line);
        }
        int[] widths = Arrays.stream(header).mapToInt(String::length).toArray();
        for (String[] line : cells) {
            for (int i = 0; i < line.length; i++) {
                widths[i] = Math.max(widths[i], line[i].length());
            }
        }
        boolean[] numeric = new boolean[header.length];
        for (int i = 0; i < header.length; i++) {
            String type = result.schema().fields()[i].dataType().typeName();
            numeric[i] = type.matches("byte|short|integer|long|float|double|decimal.*");
        }
        out.println(line(header, widths, new boolean[header.length]));
        StringBuilder rule = new StringBuilder();
        for (int i = 0; i < widths.length; i++) {
            rule.append(i == 0 ? "" : "-+-").append("-".repeat(widths[i]));
        }
        out.println(rule);
        for (String[] line : cells) {
            out.println(line(line, widths, numeric));
        }
        out.println("(" + cells.size() + (cells.size() == 1 ? " row" : " rows") + (truncated ? ", more left out" : "") + ")");
        return new Printed(cells.size(), truncated);
    }

    private static String line(String[] values, int[] widths, boolean[] rightAligned) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < values.length; i++) {
            b.append(i == 0 ? "" : " | ");
            String pad = " ".repeat(widths[i] - values[i].length());
            b.append(rightAligned[i] ? pad + values[i] : values[i] + (i == values.length - 1 ? "" : pad));
        }
        return b.toString();
    }

    private Printed csv(Dataset<Row> result, PrintWriter out) {
        CsvSchema.Builder schema = CsvSchema.builder().setUseHeader(true);
        for (String column : result.columns()) {
            schema.addColumn(column);
        }
        CsvMapper mapper = CsvMapper.builder().enable(CsvGenerator.Feature.STRICT_CHECK_FOR_QUOTING)
                .disable(StreamWriteFeature.AUTO_CLOSE_TARGET).build(); // never close standard output
        long printed = 0;
        boolean truncated = false;
        try (var writer = mapper.writer(schema.build()).writeValues(out)) {
            Iterator<Row> rows = result.toLocalIterator();
            while (rows.hasNext()) {
                Row row = rows.next();
                if (maxRows > 0 && printed == maxRows) {
                    truncated = true;
                    break;
                }
                List<String> values = new ArrayList<>(row.length());
                for (int i = 0; i < row.length(); i++) {
                    values.add(row.isNullAt(i) ? "" : String.valueOf(row.get(i)));
                }
                writer.write(values);
                printed++;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Printed(printed, truncated);
    }

    private Printed json(Dataset<Row> result, PrintWriter out) {
        long printed = 0;
        boolean truncated = false;
        // Spark's own JSON encoding of every type; nulls kept, so every line has every column.
        Dataset<String> lines = result.select(functions.to_json(functions.struct(functions.col("*")),
                java.util.Map.of("ignoreNullFields", "false"))).as(Encoders.STRING());
        Iterator<String> rows = lines.toLocalIterator();
        while (rows.hasNext()) {
            String row = rows.next();
            if (maxRows > 0 && printed == maxRows) {
                truncated = true;
                break;
            }
            out.println(row);
            printed++;
        }
        return new Printed(printed, truncated);
    }
}
