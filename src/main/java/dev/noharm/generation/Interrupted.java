package dev.noharm.generation;

/**
 * A generation job stopped by SIGINT or SIGTERM after storing what had arrived: every stored answer stays
 * stored, and a rerun calls only what is missing. The command exits 130.
 */
public final class Interrupted extends RuntimeException {
    private final String signal;
    private final long saved;

    public Interrupted(String signal, long saved) {
        super("interrupted (" + signal + "): " + saved + " saved; rerun to resume");
        this.signal = signal;
        this.saved = saved;
    }

    public String signal() {
        return signal;
    }

    /** Generations this job stored before it stopped. */
    public long saved() {
        return saved;
    }
}
