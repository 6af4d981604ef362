package dev.noharm.generation.ratelimit;

/**
 * Where the limiter and the budget read the time: {@link #SYSTEM} in a run, a hand-advanced one in tests,
 * so their tests never sleep. Nanoseconds from an arbitrary origin, like {@link System#nanoTime()}.
 */
@FunctionalInterface
public interface Ticker {
    Ticker SYSTEM = System::nanoTime;

    long nanoTime();
}
