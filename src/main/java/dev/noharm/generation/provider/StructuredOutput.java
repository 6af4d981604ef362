package dev.noharm.generation.provider;

import dev.langchain4j.model.chat.request.ResponseFormat;
import dev.langchain4j.model.chat.request.ResponseFormatType;
import dev.langchain4j.model.chat.request.json.JsonArraySchema;
import dev.langchain4j.model.chat.request.json.JsonEnumSchema;
import dev.langchain4j.model.chat.request.json.JsonIntegerSchema;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.request.json.JsonSchema;
import dev.langchain4j.model.chat.request.json.JsonStringSchema;

/**
 * The registry's {@code response_format}: {@code text} (default), {@code json_object} (JSON mode) or
 * {@code json_schema}: the answer must be {@code {"grades": [{"Option": n, "GradeAI": "Appropriate" |
 * "Inappropriate", "Rationale": "..."}]}}. Providers' structured modes want an object at the top, not the
 * contract's bare array, so the array sits under {@value #GRADES_FIELD}; the response parser reads both.
 */
public final class StructuredOutput {
    /** The registry's allowed {@code response_format} values. */
    public static final java.util.Set<String> FORMATS = java.util.Set.of("text", "json_object", "json_schema");

    /** The field holding the grades in a structured answer. */
    public static final String GRADES_FIELD = "grades";

    private StructuredOutput() {}

    public static JsonSchema schema() {
        JsonObjectSchema grade = JsonObjectSchema.builder()
                .addProperty("Option", JsonIntegerSchema.builder().description("the option's number").build())
                .addProperty("GradeAI", JsonEnumSchema.builder().enumValues("Appropriate", "Inappropriate").build())
                .addProperty("Rationale", JsonStringSchema.builder().description("one short sentence").build())
                .required("Option", "GradeAI", "Rationale")
                .additionalProperties(false)
                .build();
        JsonObjectSchema root = JsonObjectSchema.builder()
                .addProperty(GRADES_FIELD, JsonArraySchema.builder().items(grade).build())
                .required(GRADES_FIELD)
                .additionalProperties(false)
                .build();
        return JsonSchema.builder().name("noharm_grades").rootElement(root).build();
    }

    static ResponseFormat responseFormat(String registryValue) {
        return switch (registryValue == null ? "text" : registryValue) {
            case "json_object" -> ResponseFormat.JSON;
            case "json_schema" -> ResponseFormat.builder().type(ResponseFormatType.JSON).jsonSchema(schema()).build();
            default -> null;
        };
    }
}
