package dev.noharm.generation.provider;

/**
 * Carries the rate-limit hint of the last successful answer from the HTTP client (which sees headers) to
 * the provider (which sees only LangChain4j's parsed response). Per thread: a provider serves several
 * calls at once, and each call runs on its own thread from request to response.
 */
final class ServerHints {
    private final ThreadLocal<Long> pauseMillis = ThreadLocal.withInitial(() -> -1L);

    void record(long millis) {
        pauseMillis.set(millis);
    }

    /** The hint of this thread's last answer, cleared. */
    long take() {
        long value = pauseMillis.get();
        pauseMillis.set(-1L);
        return value;
    }
}
