package dev.noharm.ids;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The project's two kinds of identifier, each made in one place: content hashes (dataset versions, work
 * keys, prompt hashes, import ids: the same content always gets the same id) and random ids (jobs, scores,
 * searches: a new one each time). Every recipe that builds on them (which fields go into a work key, how
 * many hex digits a version keeps) lives with the data it identifies.
 */
public final class Ids {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final HexFormat HEX = HexFormat.of();

    private Ids() {}

    /** The SHA-256 of the text's UTF-8 bytes, as 64 lower-case hex digits. */
    public static String sha256Hex(String text) {
        try {
            return HEX.formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** A new random id of 12 hex digits (48 bits): job, score and search ids. */
    public static String newId() {
        byte[] bytes = new byte[6];
        RANDOM.nextBytes(bytes);
        return HEX.formatHex(bytes);
    }
}
