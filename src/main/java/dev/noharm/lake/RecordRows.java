package dev.noharm.lake;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;

/**
 * A table's rows as one Java record type. The record's components, flattened through nested records in
 * declaration order, are the table's columns: same names ({@code sampleIndex} is {@code sample_index}), same
 * types, same nullability ({@link Nullable}). {@link #of} checks all three against the table's declared
 * schema and refuses a mismatch, so the record and {@link Tables} cannot drift apart.
 */
public final class RecordRows<R extends Record> {
    private static final Map<Class<?>, DataType> TYPES = Map.ofEntries(
            Map.entry(String.class, DataTypes.StringType),
            Map.entry(int.class, DataTypes.IntegerType), Map.entry(Integer.class, DataTypes.IntegerType),
            Map.entry(long.class, DataTypes.LongType), Map.entry(Long.class, DataTypes.LongType),
            Map.entry(double.class, DataTypes.DoubleType), Map.entry(Double.class, DataTypes.DoubleType),
            Map.entry(boolean.class, DataTypes.BooleanType), Map.entry(Boolean.class, DataTypes.BooleanType),
            Map.entry(Instant.class, DataTypes.TimestampType));

    /** One flattened column: the accessors from the top record down to the value. */
    private record Column(String name, DataType type, boolean nullable, List<Method> path) {}

    private final LakeTable table;
    private final List<Column> columns;

    private RecordRows(LakeTable table, List<Column> columns) {
        this.table = table;
        this.columns = columns;
    }

    /** The mapping of {@code type} onto {@code table}; throws when they disagree on any column. */
    public static <R extends Record> RecordRows<R> of(LakeTable table, Class<R> type) {
        List<Column> columns = new ArrayList<>();
        flatten(type, List.of(), false, columns);
        StructField[] fields = table.schema().fields();
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < Math.max(fields.length, columns.size()); i++) {
            String declared = i < fields.length ? describe(fields[i].name(), fields[i].dataType(), fields[i].nullable()) : "(none)";
            String derived = i < columns.size() ? describe(columns.get(i).name(), columns.get(i).type(), columns.get(i).nullable()) : "(none)";
            if (!declared.equals(derived)) {
                problems.add("column " + (i + 1) + ": table has " + declared + ", record has " + derived);
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException(type.getSimpleName() + " does not match table " + table.name() + ": " + String.join("; ", problems));
        }
        return new RecordRows<>(table, List.copyOf(columns));
    }

    public LakeTable table() {
        return table;
    }

    /** The column values in table order: String, Integer, Long, Double, Boolean or Instant, null where empty. */
    public Object[] values(R record) {
        Object[] values = new Object[columns.size()];
        for (int i = 0; i < values.length; i++) {
            Column column = columns.get(i);
            Object value = record;
            for (Method accessor : column.path()) {
                value = value == null ? null : invoke(accessor, value);
            }
            if (value == null && !column.nullable()) {
                throw new IllegalArgumentException(table.name() + "." + column.name() + " is required but empty in " + record);
            }
            values[i] = value;
        }
        return values;
    }

    /** A Spark row in the table's schema (timestamps as {@link Timestamp}, Spark's external type). */
    public Row row(R record) {
        Object[] values = values(record);
        for (int i = 0; i < values.length; i++) {
            if (values[i] instanceof Instant instant) {
                values[i] = Timestamp.from(instant);
            }
        }
        return RowFactory.create(values);
    }

    private static void flatten(Class<?> type, List<Method> prefix, boolean nullable, List<Column> out) {
        for (RecordComponent component : type.getRecordComponents()) {
            List<Method> path = new ArrayList<>(prefix);
            path.add(component.getAccessor());
            boolean columnNullable = nullable || component.isAnnotationPresent(Nullable.class);
            Class<?> valueType = component.getType();
            if (valueType.isRecord()) {
                flatten(valueType, path, columnNullable, out);
                continue;
            }
            DataType dataType = TYPES.get(valueType);
            if (dataType == null) {
                throw new IllegalStateException(type.getSimpleName() + "." + component.getName() + ": no column type for " + valueType);
            }
            out.add(new Column(snakeCase(component.getName()), dataType, columnNullable, List.copyOf(path)));
        }
    }

    /** {@code sampleIndex} to {@code sample_index}. */
    static String snakeCase(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
    }

    private static String describe(String name, DataType type, boolean nullable) {
        return name + " " + type.simpleString() + (nullable ? "" : " not null");
    }

    private static Object invoke(Method accessor, Object target) {
        try {
            return accessor.invoke(target);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot read " + accessor, e);
        }
    }
}
