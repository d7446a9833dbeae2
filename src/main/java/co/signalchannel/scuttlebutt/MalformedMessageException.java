package co.signalchannel.scuttlebutt;

import java.nio.charset.StandardCharsets;

/**
 * A received message is not valid scuttlebutt: a line is not JSON, or not a digest, an update or
 * {@code "SYNC"}. The message says which line and what was wrong, e.g.
 * {@code line 2: update timestamp must be a number, got "abc"}. Nothing of the message has been
 * applied when this is thrown.
 */
public class MalformedMessageException extends Exception {

    /** A WebSocket close frame holds at most 125 payload bytes, two of which are the code. */
    public static final int MAX_CLOSE_REASON_BYTES = 123;

    private static final String ELLIPSIS = "…";

    private final int line;

    public MalformedMessageException(int line, String problem) {
        super("line " + line + ": " + problem, null, false, false);
        this.line = line;
    }

    /** The 1-based number of the offending line within the message. */
    public int line() {
        return line;
    }

    /** The message, cut on a code point boundary to fit a WebSocket close frame. */
    public String closeReason() {
        return fitCloseReason(getMessage());
    }

    /**
     * {@code reason} if it fits in {@value #MAX_CLOSE_REASON_BYTES} UTF-8 bytes, otherwise its
     * longest prefix that fits together with a trailing {@code …}; never splits a code point.
     */
    public static String fitCloseReason(String reason) {
        if (Utf8.length(reason) <= MAX_CLOSE_REASON_BYTES) {
            return reason;
        }
        int budget = MAX_CLOSE_REASON_BYTES - ELLIPSIS.getBytes(StandardCharsets.UTF_8).length;
        int used = 0;
        int end = 0;
        while (end < reason.length()) {
            int codePoint = reason.codePointAt(end);
            used += Utf8.length(codePoint);
            if (used > budget) {
                break;
            }
            end += Character.charCount(codePoint);
        }
        return reason.substring(0, end) + ELLIPSIS;
    }
}
