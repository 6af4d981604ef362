package dev.noharm.generation;

import java.io.Serializable;

/**
 * Where a model's API key is kept: never the key itself, only where to find it. The registry names exactly
 * one of {@code api_key_env} (an environment variable), {@code api_key_file} (a file outside the repository;
 * on a cluster, an absolute path present on every node or a file shipped with {@code --files}) or
 * {@code api_key_secret} (an AWS Secrets Manager secret's name or ARN). Resolved by {@link ApiKeys}.
 */
public record ApiKeyRef(Source source, String name) implements Serializable {

    public enum Source {
        ENV("api_key_env", "environment variable"),
        FILE("api_key_file", "file"),
        SECRETS_MANAGER("api_key_secret", "AWS Secrets Manager secret");

        private final String field;
        private final String description;

        Source(String field, String description) {
            this.field = field;
            this.description = description;
        }

        /** The registry field that names it. */
        public String field() {
            return field;
        }
    }

    public static ApiKeyRef env(String variable) {
        return new ApiKeyRef(Source.ENV, variable);
    }

    /** For messages: where the key was looked for (never the key). */
    public String describe() {
        return source.description + " " + name;
    }
}
