package dev.noharm.lake;

/**
 * The lake lacks what a command works on: no dataset ingested, no responses to score, no score to report or
 * export. The message names the command to run first. Nothing was written. (Work that is already done, such
 * as a rerun of a finished generation, is not this: it succeeds and says so.)
 */
public final class NothingYet extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public NothingYet(String message) {
        super(message);
    }
}
