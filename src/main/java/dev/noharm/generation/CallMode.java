package dev.noharm.generation;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * How a model's calls leave the pipeline, chosen per model in a run spec ({@code mode}) and stored with every
 * generation ({@code generations.call_mode}): one request at a time under the cluster-wide limiter, or through the
 * provider's batch API (half the price, answered within a day). Rows written before the column existed are all
 * {@code realtime}.
 */
public enum CallMode {
    REALTIME,
    BATCH;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<CallMode> fromWireName(String name) {
        return Arrays.stream(values()).filter(m -> m.wireName().equals(name)).findFirst();
    }

    /** {@code realtime, batch}: for error messages. */
    public static String names() {
        return String.join(", ", Arrays.stream(values()).map(CallMode::wireName).toList());
    }
}
