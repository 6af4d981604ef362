package dev.noharm.generation.provider;

import dev.langchain4j.exception.HttpException;

/**
 * A non-2xx answer, with the server's {@code Retry-After} (in milliseconds, or -1 when absent). LangChain4j
 * wraps HTTP errors in its own exceptions but keeps this one as the cause, where {@link CallFailure} finds it.
 */
public final class StatusHttpException extends HttpException {
    private static final long serialVersionUID = 1L;

    private final long retryAfterMillis;

    public StatusHttpException(int statusCode, String body, long retryAfterMillis) {
        super(statusCode, body);
        this.retryAfterMillis = retryAfterMillis;
    }

    public long retryAfterMillis() {
        return retryAfterMillis;
    }
}
