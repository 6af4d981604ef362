package dev.noharm.generation.provider;

import java.util.regex.Pattern;

/** Reasoning some models (and servers in front of them) leave inline in the answer; it is never part of the stored answer. */
public final class InlineReasoning {
    private static final Pattern BLOCK = Pattern.compile("(?s)<think(?:ing)?>.*?(?:</think(?:ing)?>|\\z)");

    private InlineReasoning() {}

    /** The answer without {@code <think>...</think>} (or {@code <thinking>}) blocks; an unclosed block runs to the end. */
    public static String strip(String text) {
        if (text == null || !text.contains("<think")) {
            return text;
        }
        return BLOCK.matcher(text).replaceAll("").strip();
    }
}
