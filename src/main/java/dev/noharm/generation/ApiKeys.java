package dev.noharm.generation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;
import org.apache.spark.SparkFiles;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueRequest;

/**
 * Reads API keys where the registry says they are, on the machine that needs them (each executor reads
 * its own; keys never travel in Spark closures, configuration or the lake). Errors say where the key was
 * looked for, never what it is.
 */
public final class ApiKeys {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ApiKeys() {}

    /** The key, or null when the reference is null (a model that needs none) or the variable is unset. */
    public static String resolve(ApiKeyRef ref, Function<String, String> environment) {
        if (ref == null) {
            return null;
        }
        return switch (ref.source()) {
            case ENV -> environment.apply(ref.name());
            case FILE -> fromFile(ref.name());
            case SECRETS_MANAGER -> fromSecretsManager(ref.name());
        };
    }

    private static String fromFile(String name) {
        Path path = Path.of(name);
        if (!path.isAbsolute() && !Files.exists(path)) {
            // A file shipped with spark-submit --files lands in each executor's SparkFiles folder.
            try {
                path = Path.of(SparkFiles.get(name));
            } catch (RuntimeException noSparkHere) {
                // Not inside Spark: keep the relative path, whose absence is reported below.
            }
        }
        try {
            String key = Files.readString(path, StandardCharsets.UTF_8).strip();
            if (key.isEmpty()) {
                throw new IllegalStateException("API key file " + path + " is empty");
            }
            return key;
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the API key file " + path + ": " + e.getClass().getSimpleName(), e);
        }
    }

    /**
     * The secret's string: the key itself, or a JSON object holding it under {@code api_key}. Region and
     * credentials come from the default AWS chains; {@code AWS_ENDPOINT_URL_SECRETS_MANAGER} may point the
     * client at another endpoint (a VPC endpoint, or a local server in tests).
     */
    private static String fromSecretsManager(String secretId) {
        try (SecretsManagerClient client = SecretsManagerClient.create()) {
            String value = client.getSecretValue(GetSecretValueRequest.builder().secretId(secretId).build()).secretString();
            if (value == null || value.isBlank()) {
                throw new IllegalStateException("AWS Secrets Manager secret " + secretId + " has no string value");
            }
            String trimmed = value.strip();
            if (trimmed.startsWith("{")) {
                JsonNode key = JSON.readTree(trimmed).get("api_key");
                if (key == null || !key.isTextual()) {
                    throw new IllegalStateException("AWS Secrets Manager secret " + secretId
                            + " is a JSON object without a string field api_key");
                }
                return key.asText().strip();
            }
            return trimmed;
        } catch (IOException e) {
            // Not chained: the parser's message quotes the text, which may be the key.
            throw new IllegalStateException("AWS Secrets Manager secret " + secretId + " starts with { but is not valid JSON");
        } catch (software.amazon.awssdk.core.exception.SdkException e) {
            throw new IllegalStateException("cannot read AWS Secrets Manager secret " + secretId + ": " + e.getMessage(), e);
        }
    }
}
