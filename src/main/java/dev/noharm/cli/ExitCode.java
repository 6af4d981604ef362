package dev.noharm.cli;

/** Process exit codes; schedulers can tell a bad input from a crash. */
public final class ExitCode {
    private ExitCode() {}

    public static final int OK = 0;
    /** An unexpected failure (I/O, Spark, a bug): the message says what. */
    public static final int FAILURE = 1;
    /** Unknown command or flag, or a bad option value. */
    public static final int USAGE = 2;
    /** Input files (a benchmark, responses, a spec, the registry) broke the contract; nothing was written. */
    public static final int INVALID_INPUT = 3;
    /** Nightly flagged a regression of a model version against its previous version. */
    public static final int REGRESSION = 4;
    /** The job finished but some items failed after all retries; they are stored with their errors and a rerun retries them. */
    public static final int ITEMS_FAILED = 5;
    /** The run's budget stopped some calls; they stay to do for a run with budget left. */
    public static final int BUDGET_REACHED = 6;
    /** Another driver holds a lease on work this run needs (the message names it and since when); nothing was called. */
    public static final int LAKE_BUSY = 7;
    /**
     * The lake has nothing for the command yet (no lake or dataset, no responses to score, no score to report,
     * export or compare); the message names the command to run first. Nothing was written.
     */
    public static final int NOTHING_YET = 8;
    /**
     * SIGINT (Ctrl-C) or SIGTERM stopped generation: no call was started after it, the answers that had arrived are
     * stored, and a rerun calls only what is missing. 128 + 2, as shells report an interrupt.
     */
    public static final int INTERRUPTED = 130;
}
