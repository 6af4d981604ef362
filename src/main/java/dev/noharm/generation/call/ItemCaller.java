package dev.noharm.generation.call;

import dev.noharm.generation.CallMode;
import dev.noharm.generation.Generation;
import dev.noharm.generation.ModelSpec;
import dev.noharm.generation.RunSpec;
import dev.noharm.generation.TokenEstimator;
import dev.noharm.generation.plan.WorkItem;
import dev.noharm.generation.provider.CallFailure;
import dev.noharm.generation.provider.ChatProvider;
import dev.noharm.generation.provider.ChatResult;
import dev.noharm.generation.ratelimit.Permits;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

/**
 * Makes one item's call on an executor: a permit (and budget reservation) from the driver before every
 * attempt, retries by failure kind, and the outcome as a {@link Generation}. 429s wait as the server says
 * without using an attempt; 5xx, timeouts and unreadable answers back off exponentially with full jitter;
 * other 4xx are never retried.
 */
final class ItemCaller {
    private final ExecutorContext context;
    private final DriverEndpoints.Client driver;
    private final Function<String, String> environment;
    private final Map<String, ChatProvider> providers = new ConcurrentHashMap<>();

    ItemCaller(ExecutorContext context, DriverEndpoints.Client driver, Function<String, String> environment) {
        this.context = context;
        this.driver = driver;
        this.environment = environment;
    }

    /** Throws {@link Permits.BudgetReached} when the run's budget refuses the call (then nothing was called or stored). */
    Generation call(WorkItem item) throws InterruptedException {
        ModelSpec model = context.models().get(item.modelId());
        ChatProvider provider = providers.computeIfAbsent(model.id(), id -> ChatProvider.create(model, environment));
        String prompt = item.prompt(context.sharedPrompts().value());
        TokenEstimator.CallBound bound = TokenEstimator.upperBound(model, prompt.length());
        RunSpec.Retry retry = context.retry();

        Instant started = Instant.now();
        int attempts = 0;
        int rateLimitWaits = 0;
        while (true) {
            Permits.Permit permit = driver.acquire(new Permits.Request(model.id(), bound.tokens(), bound.costUsd(), driver.executor()));
            attempts++;
            long t0 = System.nanoTime();
            try {
                ChatResult result = provider.chat(prompt, item.sampleIndex());
                long latencyMs = (System.nanoTime() - t0) / 1_000_000;
                boolean counted = result.inputTokens() >= 0 && result.outputTokens() >= 0;
                double cost = counted ? model.price().cost(result.inputTokens(), result.outputTokens()) : bound.costUsd();
                // A quota the provider reports used up pauses the model until its reset, before any 429.
                driver.release(new Permits.Release(model.id(), permit.permit(), permit.reservation(),
                        counted ? result.inputTokens() + result.outputTokens() : -1, false, result.serverPauseMillis(), cost));
                return generation(item, model, started, attempts, rateLimitWaits, latencyMs, result, null);
            } catch (RuntimeException e) {
                long latencyMs = (System.nanoTime() - t0) / 1_000_000;
                CallFailure failure = CallFailure.classify(e);
                boolean rateLimited = failure.kind() == CallFailure.Kind.RATE_LIMITED;
                driver.release(new Permits.Release(model.id(), permit.permit(), permit.reservation(), -1, rateLimited,
                        failure.retryAfterMillis(), 0.0));
                if (rateLimited) {
                    rateLimitWaits++;
                    if (rateLimitWaits <= retry.maxRateLimitWaits()) {
                        continue; // the driver pauses the model for every executor until Retry-After has passed
                    }
                } else if (failure.kind().retryable() && attempts - rateLimitWaits < retry.maxAttempts()) {
                    Thread.sleep(backoffMillis(attempts - rateLimitWaits, retry));
                    continue;
                }
                return generation(item, model, started, attempts, rateLimitWaits, latencyMs, null, failure);
            }
        }
    }

    /** Exponential backoff with full jitter: uniform in [0, min(max, base * 2^(n-1))]. */
    static long backoffMillis(int failedAttempts, RunSpec.Retry retry) {
        long ceiling = Math.min(retry.maxDelayMs(), retry.baseDelayMs() << Math.min(20, failedAttempts - 1));
        return ThreadLocalRandom.current().nextLong(ceiling + 1);
    }

    private Generation generation(WorkItem item, ModelSpec model, Instant started, int attempts, int rateLimitWaits,
            long latencyMs, ChatResult result, CallFailure failure) {
        Generation.Failure failed = failure == null ? null
                : new Generation.Failure(failure.kind().wireName(), failure.message(), failure.httpStatus() == 0 ? null : failure.httpStatus());
        return GenerationRecords.of(new GenerationRecords.Caller(context.runId(), context.jobId(), context.datasetVersion()), item, model,
                CallMode.REALTIME, new GenerationRecords.Timing(started, Instant.now(), attempts, rateLimitWaits, latencyMs), result, failed);
    }
}
