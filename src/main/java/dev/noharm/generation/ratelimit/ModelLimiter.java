package dev.noharm.generation.ratelimit;

import dev.noharm.generation.ModelSpec;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The limits of one model, enforced for the whole cluster from the driver. A permit is granted only when
 * (1) fewer than requests_per_minute permits were granted in the last {@link #WINDOW_NANOS}, (2) the
 * tokens of those permits plus this request's estimate stay within tokens_per_minute, (3) fewer than
 * max_concurrent permits are open, and (4) the model is not paused after a 429. Permits are also paced
 * {@code window / rpm} apart, so the limit is used evenly rather than in bursts.
 *
 * <p>The window is one second longer than a minute: grants reach the server after a variable network
 * delay, and the extra second keeps any 60-second window the server counts within the limit.
 *
 * <p>A permit names its holder (the executor that makes the call). One never released stops counting against
 * max_concurrent after a lease of the call's timeout plus a minute. Once Spark reports its holder lost, the holder's
 * open permits stop counting when a call started promptly on them would have timed out (the call's timeout plus
 * {@link #CALL_MARGIN_NANOS} after the grant), and the holder is refused every permit from then on: a killed
 * executor's threads that were still waiting for a permit on the driver would otherwise be granted permits nobody
 * releases, and hold the model's concurrency for a minute.
 *
 * <p>The decision ({@link #tryAcquire}) reads the time from a {@link Ticker} and never blocks; {@link #acquire}
 * waits on it in real time.
 */
final class ModelLimiter {
    static final long WINDOW_NANOS = TimeUnit.SECONDS.toNanos(61);
    /** The time a permit may take to reach its executor before the call starts. */
    static final long CALL_MARGIN_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final int requestsPerMinute;
    private final long tokensPerMinute;
    private final int maxConcurrent;
    private final long intervalNanos;
    private final long leaseNanos;
    private final long callNanos;
    private final Ticker ticker;

    private final ArrayDeque<Grant> window = new ArrayDeque<>();
    private final Map<Long, Grant> open = new HashMap<>();
    /** Holders Spark reported lost: refused from then on. */
    private final Set<String> lost = new HashSet<>();
    private long windowTokens;
    private long theoreticalArrival = Long.MIN_VALUE / 2;
    private long pausedUntil = Long.MIN_VALUE / 2;
    private long nextPermitId = 1;

    private static final class Grant {
        final long id;
        final long at;
        final String holder;
        long tokens;
        /** When it stops counting against max_concurrent if it is never released. */
        long expiresAt;

        Grant(long id, long at, String holder, long tokens, long expiresAt) {
            this.id = id;
            this.at = at;
            this.holder = holder;
            this.tokens = tokens;
            this.expiresAt = expiresAt;
        }
    }

    /**
     * The outcome of one attempt: a permit, or how long to wait before the next attempt can succeed
     * ({@code waitNanos} is -1 when only a released permit can help: max_concurrent is reached).
     */
    record Decision(long permit, long waitNanos) {
        boolean granted() {
            return permit > 0;
        }
    }

    /** Set once the job stops starting calls; null while it runs. */
    private String stopReason;

    ModelLimiter(ModelSpec.Limits limits, int timeoutSeconds, Ticker ticker) {
        this.requestsPerMinute = limits.requestsPerMinute();
        this.tokensPerMinute = limits.tokensPerMinute();
        this.maxConcurrent = limits.maxConcurrent();
        this.intervalNanos = WINDOW_NANOS / requestsPerMinute;
        // A permit never released (its executor died) stops counting against concurrency after this.
        this.leaseNanos = leaseNanos(timeoutSeconds);
        this.callNanos = TimeUnit.SECONDS.toNanos(timeoutSeconds) + CALL_MARGIN_NANOS;
        this.ticker = ticker;
    }

    /** How long a permit (or a budget reservation) never given back counts: the call's timeout plus a minute. */
    static long leaseNanos(int timeoutSeconds) {
        return TimeUnit.SECONDS.toNanos(timeoutSeconds + 60L);
    }

    /** Grants {@code holder} a permit now if every limit allows it; otherwise says how long to wait. */
    synchronized Decision tryAcquire(long estimatedTokens, String holder) {
        // A single request larger than the whole token budget could never be granted: let it through alone.
        long tokens = tokensPerMinute > 0 ? Math.min(estimatedTokens, tokensPerMinute) : estimatedTokens;
        long now = ticker.nanoTime();
        expire(now);
        if (open.size() >= maxConcurrent) {
            return new Decision(0, -1);
        }
        long readyAt = Math.max(now, Math.max(theoreticalArrival - intervalNanos, pausedUntil));
        if (window.size() >= requestsPerMinute) {
            readyAt = Math.max(readyAt, window.peekFirst().at + WINDOW_NANOS);
        }
        if (tokensPerMinute > 0 && windowTokens + tokens > tokensPerMinute && !window.isEmpty()) {
            readyAt = Math.max(readyAt, window.peekFirst().at + WINDOW_NANOS);
        }
        if (readyAt > now) {
            return new Decision(0, readyAt - now);
        }
        Grant grant = new Grant(nextPermitId++, now, holder, tokens, now + leaseNanos);
        window.addLast(grant);
        open.put(grant.id, grant);
        windowTokens += tokens;
        // GCRA with a tolerance of one interval: a thread that wakes a little late does not slow the pace.
        theoreticalArrival = Math.max(theoreticalArrival, now) + intervalNanos;
        return new Decision(grant.id, 0);
    }

    /** Refuses every permit from now on and wakes every waiter ({@link #acquire} then throws {@link Permits.Stopping}). */
    synchronized void stop(String reason) {
        stopReason = reason;
        notifyAll();
    }

    /** Blocks until a permit can be granted to {@code holder}; returns its id for {@link #release}. */
    synchronized long acquire(long estimatedTokens, String holder) throws InterruptedException {
        while (true) {
            if (stopReason != null) {
                throw new Permits.Stopping(stopReason);
            }
            if (lost.contains(holder)) {
                throw new Permits.HolderLost("Spark reported executor " + holder + " lost: it gets no more permits");
            }
            Decision decision = tryAcquire(estimatedTokens, holder);
            if (decision.granted()) {
                return decision.permit();
            }
            // A release wakes every waiter; a full window or a pause is waited out (at most a second at a time).
            long waitNanos = decision.waitNanos() < 0 ? TimeUnit.SECONDS.toNanos(1) : Math.min(decision.waitNanos(), TimeUnit.SECONDS.toNanos(1));
            TimeUnit.NANOSECONDS.timedWait(this, Math.max(1, waitNanos));
        }
    }

    /**
     * Ends a permit: the actual token count replaces the estimate in the window, and a 429's Retry-After
     * (or, without one, one pacing interval times ten) pauses the model for every executor. A wait the
     * server asked for on any other answer (Retry-After on a 503, a quota reported used up) pauses it too.
     */
    synchronized void release(long permitId, long actualTokens, boolean rateLimited, long retryAfterMillis) {
        Grant grant = open.remove(permitId);
        if (grant != null && actualTokens >= 0) {
            windowTokens += actualTokens - grant.tokens;
            grant.tokens = actualTokens;
        }
        long now = ticker.nanoTime();
        if (rateLimited) {
            long pause = retryAfterMillis >= 0 ? TimeUnit.MILLISECONDS.toNanos(retryAfterMillis) : 10 * intervalNanos;
            pausedUntil = Math.max(pausedUntil, now + pause);
        } else if (retryAfterMillis > 0) {
            pausedUntil = Math.max(pausedUntil, now + TimeUnit.MILLISECONDS.toNanos(retryAfterMillis));
        }
        notifyAll();
    }

    /**
     * Spark reports the holder lost (its process died or it was removed): it is refused every permit from now on (its
     * waiting {@link #acquire} calls throw {@link Permits.HolderLost}), and its open permits stop counting once a call
     * started promptly on them would have timed out. Returns how many open permits it held.
     */
    synchronized int holderLost(String holder) {
        lost.add(holder);
        expire(ticker.nanoTime());
        int held = 0;
        for (Grant grant : open.values()) {
            if (Objects.equals(grant.holder, holder)) {
                grant.expiresAt = grant.at + callNanos; // shorter than the lease the grant was given
                held++;
            }
        }
        notifyAll();
        return held;
    }

    private void expire(long now) {
        while (!window.isEmpty() && window.peekFirst().at + WINDOW_NANOS <= now) {
            windowTokens -= window.pollFirst().tokens;
        }
        for (Iterator<Grant> it = open.values().iterator(); it.hasNext(); ) {
            if (it.next().expiresAt <= now) {
                it.remove();
            }
        }
    }
}
