package dev.noharm.generation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.noharm.validation.ConfigFiles;
import dev.noharm.validation.InvalidInputException;
import dev.noharm.validation.JsonLinesFields;
import dev.noharm.validation.ValidationProblem;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The model registry, read from YAML and validated whole: every problem names the file, the model and
 * the field. {@code ${NAME}} in a string is replaced from the variables given (the environment, and the
 * simulator's address in the demo).
 */
public final class ModelRegistry {
    private static final Set<String> MODEL_FIELDS = Set.of("id", "display_name", "provider", "organization", "model_name",
            "model_version", "base_url", "params", "limits", "price", "api_key_env", "api_key_file", "api_key_secret", "aws",
            "batch_api");
    private static final Set<String> AWS_FIELDS = Set.of("region", "profile");
    private static final Set<String> PARAM_FIELDS =
            Set.of("temperature", "max_output_tokens", "seed", "response_format", "timeout_seconds");
    private static final Set<String> LIMIT_FIELDS = Set.of("requests_per_minute", "tokens_per_minute", "max_concurrent");
    private static final Set<String> PRICE_FIELDS = Set.of("input_per_million", "output_per_million", "batch_input_per_million",
            "batch_output_per_million");
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z0-9_.]+)}");

    private final Map<String, ModelSpec> models;

    private ModelRegistry(Map<String, ModelSpec> models) {
        this.models = models;
    }

    /** Reads {@code path} from the working directory or the jar (see {@link ConfigFiles}). */
    public static ModelRegistry load(String path, Function<String, String> variables) {
        return parse(ConfigFiles.read(path), path, variables);
    }

    public static ModelRegistry parse(String yaml, String fileName, Function<String, String> variables) {
        List<ValidationProblem> problems = new ArrayList<>();
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(yaml);
        } catch (IOException e) {
            throw new InvalidInputException("model registry " + fileName,
                    List.of(new ValidationProblem(fileName, 0, null, "not valid YAML: " + e.getMessage())));
        }
        JsonNode list = root == null ? null : root.get("models");
        if (list == null || !list.isArray() || list.isEmpty()) {
            throw new InvalidInputException("model registry " + fileName,
                    List.of(new ValidationProblem(fileName, 0, "models", "must be a non-empty list of models")));
        }
        Map<String, ModelSpec> models = new LinkedHashMap<>();
        int index = 0;
        for (JsonNode node : list) {
            index++;
            String label = node.hasNonNull("id") ? "model '" + node.get("id").asText() + "': " : "model #" + index + ": ";
            JsonLinesFields f = new JsonLinesFields(node, fileName, 0, label, problems);
            if (!node.isObject()) {
                f.problem("", "must be a mapping of fields");
                continue;
            }
            readModel(f, variables).ifPresent(m -> {
                if (models.putIfAbsent(m.id(), m) != null) {
                    f.problem("id", "duplicate model id");
                }
            });
        }
        if (!problems.isEmpty()) {
            throw new InvalidInputException("model registry " + fileName, problems);
        }
        return new ModelRegistry(models);
    }

    private static Optional<ModelSpec> readModel(JsonLinesFields f, Function<String, String> variables) {
        f.rejectUnknownFields(MODEL_FIELDS);
        Optional<String> id = f.requiredString("id");
        if (id.isPresent() && !ID.matcher(id.get()).matches()) {
            f.problem("id", "must match [A-Za-z0-9._-]{1,64}");
        }
        Optional<String> displayName = f.requiredString("display_name");
        Optional<ProviderKind> provider = f.requiredEnum("provider", ProviderKind::fromWireName, ProviderKind.allowedValues());
        Optional<String> organization = f.optionalString("organization");
        Optional<String> modelName = f.requiredString("model_name");
        Optional<String> modelVersion = f.requiredString("model_version");
        Optional<String> baseUrl = f.optionalString("base_url").map(url -> substitute(url, variables, f, "base_url"));
        List<ApiKeyRef> keyRefs = new ArrayList<>();
        for (ApiKeyRef.Source source : ApiKeyRef.Source.values()) {
            f.optionalString(source.field()).ifPresent(name -> keyRefs.add(new ApiKeyRef(source, name)));
        }
        if (keyRefs.size() > 1) {
            f.problem(keyRefs.get(1).source().field(), "name one of api_key_env, api_key_file, api_key_secret, not several");
        }
        Optional<ApiKeyRef> apiKey = keyRefs.stream().findFirst();
        if (provider.isPresent() && provider.get().needsBaseUrl() && baseUrl.isEmpty()) {
            f.problem("base_url", "required for provider " + provider.get().wireName());
        }
        if (provider.isPresent() && provider.get().needsKey() && apiKey.isEmpty()) {
            f.problem("api_key_env", "required for provider " + provider.get().wireName()
                    + ": where the key is (api_key_env, api_key_file or api_key_secret)");
        }
        baseUrl.ifPresent(url -> {
            if (!url.startsWith("http://") && !url.startsWith("https://")) {
                f.problem("base_url", "must be an http:// or https:// URL, got \"" + url + "\"");
            }
        });

        JsonLinesFields p = f.child("params");
        p.rejectUnknownFields(PARAM_FIELDS);
        Double temperature = p.optionalNonNegativeNumber("temperature", null);
        int maxOutputTokens = p.optionalPositiveInt("max_output_tokens", 4096);
        Integer seed = p.optionalInt("seed");
        String responseFormat = p.optionalString("response_format").orElse("text");
        if (!dev.noharm.generation.provider.StructuredOutput.FORMATS.contains(responseFormat)) {
            p.problem("response_format", "must be text, json_object or json_schema, got \"" + responseFormat + "\"");
        } else if (!responseFormat.equals("text") && provider.isPresent() && !provider.get().structuredOutput()) {
            p.problem("response_format", "provider " + provider.get().wireName() + " has no JSON mode here; use text");
        }
        int timeoutSeconds = p.optionalPositiveInt("timeout_seconds", 120);

        JsonLinesFields l = f.child("limits");
        l.rejectUnknownFields(LIMIT_FIELDS);
        if (!l.has("requests_per_minute")) {
            l.problem("requests_per_minute", "required field is missing");
        }
        int rpm = l.optionalPositiveInt("requests_per_minute", 1);
        Double tpm = l.optionalNonNegativeNumber("tokens_per_minute", 0.0);
        int maxConcurrent = l.optionalPositiveInt("max_concurrent", 64);

        JsonLinesFields c = f.child("price");
        c.rejectUnknownFields(PRICE_FIELDS);
        double inputPrice = c.optionalNonNegativeNumber("input_per_million", 0.0);
        double outputPrice = c.optionalNonNegativeNumber("output_per_million", 0.0);
        // The providers' batch APIs sell the same calls at half price unless the registry says otherwise.
        double batchInputPrice = c.optionalNonNegativeNumber("batch_input_per_million", inputPrice / 2);
        double batchOutputPrice = c.optionalNonNegativeNumber("batch_output_per_million", outputPrice / 2);

        JsonLinesFields a = f.child("aws");
        a.rejectUnknownFields(AWS_FIELDS);
        Optional<String> region = a.optionalString("region");
        Optional<String> profile = a.optionalString("profile");
        if ((region.isPresent() || profile.isPresent()) && provider.isPresent() && provider.get() != ProviderKind.BEDROCK) {
            f.problem("aws", "only for provider bedrock");
        }

        boolean batchApi = f.has("batch_api") && f.node().path("batch_api").asBoolean(false);
        if (f.has("batch_api") && !f.node().path("batch_api").isBoolean()) {
            f.problem("batch_api", "must be true or false");
        } else if (batchApi && provider.isPresent() && provider.get() != ProviderKind.OPENAI_COMPATIBLE) {
            f.problem("batch_api", "only for provider openai-compatible (a server that also serves OpenAI's batch endpoints); "
                    + provider.get().wireName() + "'s own batch API is used without it");
        }

        if (id.isEmpty() || displayName.isEmpty() || provider.isEmpty() || modelName.isEmpty() || modelVersion.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new ModelSpec(id.get(), displayName.get(), provider.get(),
                organization.orElse(provider.get().defaultOrganization()), modelName.get(), modelVersion.get(),
                baseUrl.orElse(null),
                new ModelSpec.RequestParams(temperature, maxOutputTokens, seed, responseFormat, timeoutSeconds),
                new ModelSpec.Limits(rpm, tpm == null ? 0 : tpm.longValue(), maxConcurrent),
                new ModelSpec.Price(inputPrice, outputPrice, batchInputPrice, batchOutputPrice),
                apiKey.orElse(null),
                region.isEmpty() && profile.isEmpty() ? null : new ModelSpec.Aws(region.orElse(null), profile.orElse(null)), batchApi));
    }

    private static String substitute(String text, Function<String, String> variables, JsonLinesFields f, String field) {
        Matcher m = VARIABLE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = variables.apply(m.group(1));
            if (value == null) {
                f.problem(field, "${" + m.group(1) + "} is not set");
                value = "";
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    public Optional<ModelSpec> find(String id) {
        return Optional.ofNullable(models.get(id));
    }

    public List<ModelSpec> all() {
        return List.copyOf(models.values());
    }
}
