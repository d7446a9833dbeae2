package co.signalchannel.connection;

import java.nio.charset.StandardCharsets;

/**
 * Why a session is closed: a close code from {@link CloseCodes} and a reason a person can read.
 *
 * @param code   the WebSocket close code
 * @param reason the reason, cut on a character boundary to the 123 UTF-8 bytes a close frame holds
 */
public record Closure(int code, String reason) {

    /** A close frame carries at most 125 payload bytes, two of which are the code. */
    public static final int MAX_REASON_BYTES = 123;

    public Closure {
        reason = fit(reason);
    }

    static String fit(String reason) {
        if (reason.getBytes(StandardCharsets.UTF_8).length <= MAX_REASON_BYTES) {
            return reason;
        }
        String ellipsis = "…";
        int budget = MAX_REASON_BYTES - ellipsis.getBytes(StandardCharsets.UTF_8).length;
        StringBuilder fitted = new StringBuilder();
        int used = 0;
        for (int i = 0; i < reason.length(); ) {
            int codePoint = reason.codePointAt(i);
            int bytes = new String(Character.toChars(codePoint)).getBytes(StandardCharsets.UTF_8).length;
            if (used + bytes > budget) {
                break;
            }
            fitted.appendCodePoint(codePoint);
            used += bytes;
            i += Character.charCount(codePoint);
        }
        return fitted.append(ellipsis).toString();
    }

    @Override
    public String toString() {
        return code + " " + reason;
    }
}
