package dev.noharm.generation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.noharm.testing.SecretsManagerServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Keys from the environment, a file, and AWS Secrets Manager (the real SDK client against a loopback server). */
class ApiKeysTest {
    private static final String KEY = "sk-noharm-unit-FAKE-5d1e";

    @Test
    void environmentAndFile(@TempDir Path dir) throws Exception {
        assertEquals(KEY, ApiKeys.resolve(ApiKeyRef.env("K"), Map.of("K", KEY)::get));
        assertNull(ApiKeys.resolve(ApiKeyRef.env("UNSET"), Map.<String, String>of()::get));
        assertNull(ApiKeys.resolve(null, name -> KEY), "a model without a key");

        Path file = Files.writeString(dir.resolve("openai.key"), KEY + "\n");
        assertEquals(KEY, ApiKeys.resolve(new ApiKeyRef(ApiKeyRef.Source.FILE, file.toString()), name -> null), "trailing newline dropped");
        Files.writeString(file, "  \n");
        IllegalStateException empty = assertThrows(IllegalStateException.class,
                () -> ApiKeys.resolve(new ApiKeyRef(ApiKeyRef.Source.FILE, file.toString()), name -> null));
        assertTrue(empty.getMessage().contains(file.toString()) && empty.getMessage().contains("empty"), empty.getMessage());
        IllegalStateException missing = assertThrows(IllegalStateException.class,
                () -> ApiKeys.resolve(new ApiKeyRef(ApiKeyRef.Source.FILE, dir.resolve("nope.key").toString()), name -> null));
        assertTrue(missing.getMessage().contains("nope.key"), missing.getMessage());
    }

    @Test
    void secretsManagerPlainOrJsonAndClearErrorsThatNeverQuoteTheSecret() throws Exception {
        try (SecretsManagerServer server = new SecretsManagerServer()
                .put("noharm/openai", KEY)
                .put("noharm/json", "{\"api_key\": \"" + KEY + "\", \"owner\": \"evals\"}")
                .put("noharm/other-json", "{\"token\": \"" + KEY + "\"}")
                .put("noharm/broken", "{" + KEY)) {
            System.setProperty("aws.endpointUrlSecretsManager", server.endpoint());
            System.setProperty("aws.region", "us-east-1");
            System.setProperty("aws.accessKeyId", "AKIATESTNOHARM000000");
            System.setProperty("aws.secretAccessKey", "test-secret");
            try {
                assertEquals(KEY, ApiKeys.resolve(new ApiKeyRef(ApiKeyRef.Source.SECRETS_MANAGER, "noharm/openai"), name -> null));
                assertEquals(KEY, ApiKeys.resolve(new ApiKeyRef(ApiKeyRef.Source.SECRETS_MANAGER, "noharm/json"), name -> null));
                assertEquals(2, server.reads());
                for (String bad : new String[] {"noharm/other-json", "noharm/broken", "noharm/absent"}) {
                    IllegalStateException e = assertThrows(IllegalStateException.class,
                            () -> ApiKeys.resolve(new ApiKeyRef(ApiKeyRef.Source.SECRETS_MANAGER, bad), name -> null));
                    assertTrue(e.getMessage().contains(bad), e.getMessage());
                    for (Throwable t = e; t != null; t = t.getCause()) {
                        assertFalse(String.valueOf(t.getMessage()).contains(KEY), "the secret is quoted in: " + t);
                    }
                }
            } finally {
                for (String p : new String[] {"aws.endpointUrlSecretsManager", "aws.region", "aws.accessKeyId", "aws.secretAccessKey"}) {
                    System.clearProperty(p);
                }
            }
        }
    }
}
