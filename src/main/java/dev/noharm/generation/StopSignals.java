package dev.noharm.generation;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * SIGINT (Ctrl-C) and SIGTERM (what schedulers send) while a generation job runs. The first signal asks the
 * job to stop starting calls and to let the calls under way finish and be stored; a second signal, or the
 * grace period passing, stops what is still running at once (what was stored stays stored). Installed for
 * the job only: the handlers that were there before come back on {@link #close}. Without these handlers the
 * JVM would exit at once and every answer received since the last commit would be lost, though paid for.
 */
public final class StopSignals implements AutoCloseable {
    private static final List<String> SIGNALS = List.of("INT", "TERM");

    /** What the job does on a signal. */
    public interface Job {
        /** Start no more calls; let those under way finish. */
        void stopStarting(String signal);

        /** Stop what is still running now. */
        void stopNow(String why);
    }

    private final List<Installed> previous = new ArrayList<>();
    private final AtomicReference<String> received = new AtomicReference<>();
    private final AtomicInteger count = new AtomicInteger();
    private final ScheduledExecutorService grace = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "noharm-stop-grace");
        t.setDaemon(true);
        return t;
    });

    private record Installed(Signal signal, SignalHandler handler) {}

    private StopSignals() {}

    /** Handles both signals until closed; after the first one, {@code job.stopNow} follows {@code graceSeconds} later. */
    public static StopSignals install(Job job, int graceSeconds) {
        StopSignals signals = new StopSignals();
        for (String name : SIGNALS) {
            Signal signal = new Signal(name);
            SignalHandler before = Signal.handle(signal, s -> signals.on("SIG" + s.getName(), job, graceSeconds));
            signals.previous.add(new Installed(signal, before));
        }
        return signals;
    }

    private void on(String signal, Job job, int graceSeconds) {
        if (count.incrementAndGet() == 1) {
            received.set(signal);
            job.stopStarting(signal);
            grace.schedule(() -> job.stopNow("the calls under way did not finish within " + graceSeconds + " s of " + signal),
                    graceSeconds, TimeUnit.SECONDS);
        } else {
            job.stopNow("a second " + signal);
        }
    }

    /** The first signal received ({@code SIGINT} or {@code SIGTERM}), or null. */
    public String received() {
        return received.get();
    }

    @Override
    public void close() {
        grace.shutdownNow();
        previous.forEach(p -> Signal.handle(p.signal(), p.handler()));
    }
}
