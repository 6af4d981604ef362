package dev.noharm.generation.provider;

import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpTimeoutException;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkServiceException;

/**
 * A failed call, classified the same way for every provider: what kind of failure, whether retrying can
 * help, and how long the server asked us to wait.
 */
public record CallFailure(Kind kind, int httpStatus, long retryAfterMillis, String message) {

    public enum Kind {
        /** HTTP 429: wait (honouring Retry-After) and try again. */
        RATE_LIMITED(true),
        /** HTTP 5xx. */
        SERVER_ERROR(true),
        /** No answer within the timeout. */
        TIMEOUT(true),
        /** The connection failed or broke. */
        CONNECTION(true),
        /** A 2xx answer that was not the provider's response format. */
        BAD_RESPONSE(true),
        /** HTTP 401 or 403: the key is missing, wrong or not allowed; retrying cannot help. */
        AUTH(false),
        /** Any other 4xx: the request itself is wrong; retrying cannot help. */
        CLIENT_ERROR(false),
        /** Anything else (a bug, most likely): not retried. */
        OTHER(false);

        private final boolean retryable;

        Kind(boolean retryable) {
            this.retryable = retryable;
        }

        public boolean retryable() {
            return retryable;
        }

        /** The name stored in the generations table's {@code error_class}. */
        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public static CallFailure classify(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof StatusHttpException http) {
                int status = http.statusCode();
                // Gemini answers a bad key with 400 INVALID_ARGUMENT and reason API_KEY_INVALID.
                boolean badKey = status == 400 && http.getMessage() != null && http.getMessage().contains("API_KEY_INVALID");
                return new CallFailure(kindOf(status, badKey), status, http.retryAfterMillis(),
                        "HTTP " + status + ": " + abbreviate(http.getMessage()));
            }
            if (t instanceof SdkServiceException aws) {
                // Bedrock (AWS SDK): throttling may come as 429 or as 400 ThrottlingException; AWS sends no Retry-After.
                int status = aws.statusCode();
                Kind kind = aws.isThrottlingException() ? Kind.RATE_LIMITED : kindOf(status, false);
                String code = aws instanceof AwsServiceException e && e.awsErrorDetails() != null ? e.awsErrorDetails().errorCode() + ": " : "";
                return new CallFailure(kind, status, -1, "HTTP " + status + ": " + code + abbreviate(aws.getMessage()));
            }
            if (t instanceof HttpTimeoutException || t instanceof ApiCallAttemptTimeoutException || t instanceof ApiCallTimeoutException) {
                return new CallFailure(Kind.TIMEOUT, 0, -1, "timed out: " + abbreviate(t.getMessage()));
            }
            if (t instanceof ConnectException) {
                return new CallFailure(Kind.CONNECTION, 0, -1, "cannot connect: " + abbreviate(t.getMessage()));
            }
            if (t instanceof com.fasterxml.jackson.core.JsonProcessingException) {
                return new CallFailure(Kind.BAD_RESPONSE, 0, -1, "unreadable response: " + abbreviate(t.getMessage()));
            }
            if (t instanceof IOException) {
                return new CallFailure(Kind.CONNECTION, 0, -1, t.getClass().getSimpleName() + ": " + abbreviate(t.getMessage()));
            }
        }
        return new CallFailure(Kind.OTHER, 0, -1, error.getClass().getName() + ": " + abbreviate(error.getMessage()));
    }

    private static Kind kindOf(int status, boolean badKey) {
        return status == 429 ? Kind.RATE_LIMITED
                : status >= 500 ? Kind.SERVER_ERROR
                : status == 401 || status == 403 || badKey ? Kind.AUTH
                : Kind.CLIENT_ERROR;
    }

    private static String abbreviate(String s) {
        if (s == null) {
            return "";
        }
        String oneLine = s.replaceAll("\\s+", " ").trim();
        return oneLine.length() > 300 ? oneLine.substring(0, 297) + "..." : oneLine;
    }
}
