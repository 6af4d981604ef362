package dev.noharm.generation;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * What a call asks of a model, stored with every generation ({@code generations.task}). A run spec chooses one
 * of the benchmark's two tasks per model (CONTRACT section 6): grade the numbered options ({@code options}, the
 * default) or write a free-text management plan from the case alone ({@code free_text}). A judge's call, which
 * maps a free-text plan back onto the options, is the third kind; specs never ask for it as a task.
 */
public enum Task {
    OPTIONS("NO"),
    FREE_TEXT("FT"),
    JUDGE("");

    private final String exportFormat;

    Task(String exportFormat) {
        this.exportFormat = exportFormat;
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** CONTRACT section 5's {@code Format} of the responses of this task: {@code NO} or {@code FT}. */
    public String exportFormat() {
        return exportFormat;
    }

    /** The tasks a spec or an import line may name. */
    public static Optional<Task> fromSpec(String name) {
        return Arrays.stream(values()).filter(t -> t != JUDGE && t.wireName().equals(name)).findFirst();
    }

    /** {@code options, free_text}: for error messages. */
    public static String specNames() {
        return OPTIONS.wireName() + ", " + FREE_TEXT.wireName();
    }
}
