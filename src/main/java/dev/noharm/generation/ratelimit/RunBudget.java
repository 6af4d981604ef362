package dev.noharm.generation.ratelimit;

/**
 * A run's spending limit, kept on the driver. Before each call an executor reserves the call's largest
 * possible cost; the reservation is refused when spent plus reserved would pass the limit, and replaced by
 * the actual cost when the call returns. So the limit is never passed as long as calls cost no more than
 * their reservation (see GenerationTask for how it is estimated).
 */
public final class RunBudget {
    private final double limitUsd;
    private double spentUsd;
    private double reservedUsd;

    public RunBudget(double limitUsd, double spentBeforeUsd) {
        this.limitUsd = limitUsd;
        this.spentUsd = spentBeforeUsd;
    }

    public synchronized boolean tryReserve(double maxCostUsd) {
        if (spentUsd + reservedUsd + maxCostUsd > limitUsd) {
            return false;
        }
        reservedUsd += maxCostUsd;
        return true;
    }

    public synchronized void settle(double reservedUsd, double actualUsd) {
        this.reservedUsd = Math.max(0, this.reservedUsd - reservedUsd);
        this.spentUsd += actualUsd;
    }

    public synchronized double spentUsd() {
        return spentUsd;
    }

    public double limitUsd() {
        return limitUsd;
    }
}
