package dev.noharm.testing;

import dev.noharm.generation.ratelimit.Ticker;
import java.time.Duration;

/** A clock that moves only when a test moves it, for the limiter's and the budget's tests. */
public final class ManualTicker implements Ticker {
    private long now = 1_000_000_000L;

    @Override
    public synchronized long nanoTime() {
        return now;
    }

    public synchronized void advance(Duration by) {
        now += by.toNanos();
    }

    public synchronized void advanceNanos(long nanos) {
        now += nanos;
    }
}
