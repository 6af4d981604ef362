package dev.noharm.generation.ratelimit;

import dev.noharm.generation.ModelSpec;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The driver's side of every call: a permit from the model's limiter and, when the run has a budget, a
 * reservation of the call's largest likely cost. One instance serves every stage of a job and every executor.
 */
public final class Permits {
    private final Map<String, ModelLimiter> limiters = new HashMap<>();
    private final Map<String, Long> leaseNanos = new HashMap<>();
    /** Null when the run has no budget. */
    private volatile RunBudget budget;

    /** What an executor ({@code holder}: its Spark executor id) asks for before a call attempt. */
    public record Request(String model, long tokens, double maxCostUsd, String holder) {}

    /** A granted permit and its budget reservation (0 without a budget). */
    public record Permit(long permit, long reservation) {}

    /** What an executor reports after the attempt: the tokens and cost it used (-1 tokens when unknown) and any wait asked for. */
    public record Release(String model, long permit, long reservation, long actualTokens, boolean rateLimited, long retryAfterMillis,
            double costUsd) {}

    /** The run's budget would be passed by the call: it is not made, and stays to do. */
    public static final class BudgetReached extends RuntimeException {
        public BudgetReached(String message) {
            super(message);
        }
    }

    /**
     * Spark reported the asking executor lost: no permit for it. If it still runs, its task attempt fails (Spark has
     * scheduled it elsewhere already); its item stays to do there.
     */
    public static final class HolderLost extends RuntimeException {
        public HolderLost(String message) {
            super(message);
        }
    }

    /** The job is stopping (interrupted): the call is not made, and stays to do. */
    public static final class Stopping extends RuntimeException {
        public Stopping(String message) {
            super(message);
        }
    }

    public Permits(List<ModelSpec> models, Ticker ticker) {
        for (ModelSpec model : models) {
            limiters.put(model.id(), new ModelLimiter(model.limits(), model.params().timeoutSeconds(), ticker));
            leaseNanos.put(model.id(), ModelLimiter.leaseNanos(model.params().timeoutSeconds()));
        }
    }

    /** Spending limit for every call from now on (null: none). */
    public void budget(RunBudget runBudget) {
        this.budget = runBudget;
    }

    public RunBudget budget() {
        return budget;
    }

    /**
     * From now on every {@link #acquire}, including those waiting, throws {@link Stopping}: no call is started
     * any more, calls already under way finish.
     */
    public void stop(String reason) {
        limiters.values().forEach(limiter -> limiter.stop(reason));
    }

    /**
     * Blocks until the model may be called; throws {@link BudgetReached} when the budget refuses the reservation
     * and {@link Stopping} once the job stops starting calls.
     */
    public Permit acquire(Request request) throws InterruptedException {
        ModelLimiter limiter = limiter(request.model());
        RunBudget runBudget = budget;
        long reservation = 0;
        if (runBudget != null) {
            reservation = runBudget.tryReserve(request.maxCostUsd(), leaseNanos.get(request.model()));
            if (reservation == 0) {
                throw new BudgetReached("run budget of $" + runBudget.limitUsd() + " reached");
            }
        }
        try {
            return new Permit(limiter.acquire(request.tokens(), request.holder()), reservation);
        } catch (InterruptedException | Stopping e) {
            if (runBudget != null) {
                runBudget.settle(reservation, 0); // no call will be made: give the reservation back
            }
            throw e;
        }
    }

    /**
     * Spark reports the executor lost: it gets no permit any more, and the permits it holds stop counting against
     * max_concurrent once calls started promptly on them would have timed out, not a minute later. Returns how many it held.
     */
    public int holderLost(String holder) {
        return limiters.values().stream().mapToInt(limiter -> limiter.holderLost(holder)).sum();
    }

    public void release(Release release) {
        RunBudget runBudget = budget;
        if (runBudget != null) {
            runBudget.settle(release.reservation(), release.costUsd());
        }
        limiter(release.model()).release(release.permit(), release.actualTokens(), release.rateLimited(), release.retryAfterMillis());
    }

    private ModelLimiter limiter(String model) {
        ModelLimiter limiter = limiters.get(model);
        if (limiter == null) {
            throw new IllegalArgumentException("unknown model " + model);
        }
        return limiter;
    }
}
