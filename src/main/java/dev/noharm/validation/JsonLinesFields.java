package dev.noharm.validation;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Reads typed fields out of one JSON object (a JSON Lines line, or an entry of a YAML file), recording a
 * {@link ValidationProblem} for each field that is missing or of the wrong kind instead of stopping at
 * the first, so that a file's problems are reported together. Shared by every reader of an input format.
 */
public final class JsonLinesFields {
    private final JsonNode node;
    private final String file;
    private final int line;
    private final String prefix;
    private final List<ValidationProblem> problems;

    public JsonLinesFields(JsonNode node, String file, int line, List<ValidationProblem> problems) {
        this(node, file, line, "", problems);
    }

    /** Fields of a nested object; {@code prefix} (e.g. {@code "model 'x': limits."}) is put before field names. */
    public JsonLinesFields(JsonNode node, String file, int line, String prefix, List<ValidationProblem> problems) {
        this.node = node;
        this.file = file;
        this.line = line;
        this.prefix = prefix;
        this.problems = problems;
    }

    /**
     * Calls {@code reader} with the fields of each JSON object line of a file (1-based line numbers; blank
     * lines skipped), recording malformed lines and non-objects as problems of that line and going on.
     */
    public static void eachObject(List<String> lines, String file, List<ValidationProblem> problems,
            java.util.function.Consumer<JsonLinesFields> reader) {
        int lineNo = 0;
        for (String line : lines) {
            lineNo++;
            if (line.isBlank()) {
                continue;
            }
            JsonNode node;
            try {
                node = STRICT_JSON.readTree(line);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                problems.add(new ValidationProblem(file, lineNo, null, "malformed JSON: " + e.getOriginalMessage()));
                continue;
            }
            if (node == null || !node.isObject()) {
                problems.add(new ValidationProblem(file, lineNo, null, "expected a JSON object"));
                continue;
            }
            reader.accept(new JsonLinesFields(node, file, lineNo, problems));
        }
    }

    /** One JSON value per line, nothing after it. */
    private static final com.fasterxml.jackson.databind.ObjectMapper STRICT_JSON = new com.fasterxml.jackson.databind.ObjectMapper()
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    public void problem(String field, String message) {
        problems.add(new ValidationProblem(file, line, prefix + field, message));
    }

    /** The nested object at {@code field}, or an empty object (all of its fields then take defaults). */
    public JsonLinesFields child(String field) {
        JsonNode value = node.get(field);
        if (value != null && !value.isNull() && !value.isObject()) {
            problem(field, "must be a mapping of fields");
            value = null;
        }
        JsonNode object = value == null || value.isNull()
                ? com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode() : value;
        return new JsonLinesFields(object, file, line, prefix + field + ".", problems);
    }

    public boolean has(String field) {
        JsonNode value = node.get(field);
        return value != null && !value.isNull();
    }

    public int optionalPositiveInt(String field, int defaultValue) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return defaultValue;
        }
        if (!value.isIntegralNumber() || !value.canConvertToInt() || value.intValue() < 1) {
            problem(field, "must be an integer >= 1, got " + describe(value));
            return defaultValue;
        }
        return value.intValue();
    }

    /** A number >= 0, or {@code defaultValue} (which may be null) when absent. */
    public Double optionalNonNegativeNumber(String field, Double defaultValue) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return defaultValue;
        }
        if (!value.isNumber() || value.doubleValue() < 0 || !Double.isFinite(value.doubleValue())) {
            problem(field, "must be a number >= 0, got " + describe(value));
            return defaultValue;
        }
        return value.doubleValue();
    }

    public Integer optionalInt(String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isIntegralNumber() || !value.canConvertToInt()) {
            problem(field, "must be an integer, got " + describe(value));
            return null;
        }
        return value.intValue();
    }

    /** Records every field not in {@code known}: a misspelt optional field must not pass silently. */
    public void rejectUnknownFields(Set<String> known) {
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!known.contains(name)) {
                problem(name, "unknown field (expected one of: " + String.join(", ", known.stream().sorted().toList()) + ")");
            }
        }
    }

    public Optional<String> requiredString(String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            problem(field, "required field is missing");
            return Optional.empty();
        }
        if (!value.isTextual()) {
            problem(field, "must be a string, got " + describe(value));
            return Optional.empty();
        }
        if (value.textValue().isBlank()) {
            problem(field, "must not be empty");
            return Optional.empty();
        }
        return Optional.of(value.textValue());
    }

    public Optional<String> optionalString(String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return Optional.empty();
        }
        if (!value.isTextual()) {
            problem(field, "must be a string, got " + describe(value));
            return Optional.empty();
        }
        return Optional.of(value.textValue());
    }

    public Optional<Integer> requiredPositiveInt(String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            problem(field, "required field is missing");
            return Optional.empty();
        }
        if (!value.isIntegralNumber() || !value.canConvertToInt() || value.intValue() < 1) {
            problem(field, "must be an integer >= 1, got " + describe(value));
            return Optional.empty();
        }
        return Optional.of(value.intValue());
    }

    public boolean optionalBoolean(String field) {
        JsonNode value = node.get(field);
        if (value == null) {
            return false;
        }
        if (!value.isBoolean()) {
            problem(field, "must be true or false, got " + describe(value));
            return false;
        }
        return value.booleanValue();
    }

    /** A required string that must be one of an enum's wire names. */
    public <E> Optional<E> requiredEnum(String field, Function<String, Optional<E>> parse, String allowed) {
        Optional<String> text = requiredString(field);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        Optional<E> parsed = parse.apply(text.get());
        if (parsed.isEmpty()) {
            problem(field, "unknown value " + quote(text.get()) + " (allowed: " + allowed + ")");
        }
        return parsed;
    }

    public JsonNode node() {
        return node;
    }

    public int line() {
        return line;
    }

    private static String describe(JsonNode value) {
        String text = value.toString();
        return text.length() > 40 ? text.substring(0, 37) + "..." : text;
    }

    public static String quote(String s) {
        return "\"" + (s.length() > 40 ? s.substring(0, 37) + "..." : s) + "\"";
    }
}
