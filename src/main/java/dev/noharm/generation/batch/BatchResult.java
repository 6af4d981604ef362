package dev.noharm.generation.batch;

import dev.noharm.generation.provider.ChatResult;

/**
 * One request's result in an ended batch. {@code SUCCEEDED}: the model's answer ({@code answer}); {@code ERRORED}: the
 * provider refused or failed the request ({@code errorClass}, {@code message}, {@code httpStatus} when it gave one),
 * stored as a failed generation like a real-time 4xx; {@code UNFINISHED}: the batch expired or was cancelled before the
 * request was answered: nothing was paid and nothing is stored, so the item stays to do.
 */
public record BatchResult(String workKey, Kind kind, ChatResult answer, String errorClass, String message, Integer httpStatus) {

    public enum Kind {
        SUCCEEDED,
        ERRORED,
        UNFINISHED
    }

    public static BatchResult succeeded(String workKey, ChatResult answer) {
        return new BatchResult(workKey, Kind.SUCCEEDED, answer, null, null, null);
    }

    public static BatchResult errored(String workKey, String errorClass, String message, Integer httpStatus) {
        return new BatchResult(workKey, Kind.ERRORED, null, errorClass, message, httpStatus);
    }

    public static BatchResult unfinished(String workKey, String why) {
        return new BatchResult(workKey, Kind.UNFINISHED, null, null, why, null);
    }
}
