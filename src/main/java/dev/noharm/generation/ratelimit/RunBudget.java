package dev.noharm.generation.ratelimit;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * A run's spending limit, kept on the driver. Before each call attempt an executor reserves the call's
 * largest likely cost ({@code TokenEstimator}); the reservation is refused when spent plus reserved would pass
 * the limit, and is settled at the actual cost when the attempt returns. So the limit is never passed as long
 * as calls cost no more than their reservation.
 *
 * <p>A reservation never settled within its lease (its executor died mid-call) is counted as spent at its
 * full amount: the call may have been made and paid, and the limit must hold either way.
 */
public final class RunBudget {
    private final double limitUsd;
    private final Ticker ticker;
    private final Map<Long, Reservation> open = new HashMap<>();
    private double spentUsd;
    private double reservedUsd;
    private double reservedEverUsd;
    private long nextId = 1;
    private long expired;

    private record Reservation(double maxCostUsd, long expiresAt) {}

    public RunBudget(double limitUsd, double spentBeforeUsd, Ticker ticker) {
        this.limitUsd = limitUsd;
        this.spentUsd = spentBeforeUsd;
        this.ticker = ticker;
    }

    /** A reservation id (positive), or 0 when {@code maxCostUsd} would pass the limit. */
    public synchronized long tryReserve(double maxCostUsd, long leaseNanos) {
        long now = ticker.nanoTime();
        expire(now);
        if (spentUsd + reservedUsd + maxCostUsd > limitUsd) {
            return 0;
        }
        long id = nextId++;
        open.put(id, new Reservation(maxCostUsd, now + leaseNanos));
        reservedUsd += maxCostUsd;
        reservedEverUsd += maxCostUsd;
        return id;
    }

    /** Replaces a reservation by what the attempt actually cost (0 when no call was made). Unknown ids are ignored. */
    public synchronized void settle(long reservationId, double actualUsd) {
        Reservation reservation = open.remove(reservationId);
        if (reservation != null) {
            reservedUsd -= reservation.maxCostUsd();
            spentUsd += actualUsd;
        }
    }

    public synchronized double spentUsd() {
        expire(ticker.nanoTime());
        return spentUsd;
    }

    public synchronized double reservedUsd() {
        expire(ticker.nanoTime());
        return reservedUsd;
    }

    /** Every reservation ever made, settled or not: what the run's calls were allowed to cost at most. */
    public synchronized double reservedEverUsd() {
        return reservedEverUsd;
    }

    /** Reservations whose lease ran out, counted as spent. */
    public synchronized long expired() {
        return expired;
    }

    public double limitUsd() {
        return limitUsd;
    }

    private void expire(long now) {
        for (Iterator<Reservation> it = open.values().iterator(); it.hasNext(); ) {
            Reservation reservation = it.next();
            if (reservation.expiresAt() <= now) {
                it.remove();
                reservedUsd -= reservation.maxCostUsd();
                spentUsd += reservation.maxCostUsd();
                expired++;
            }
        }
    }
}
