package co.signalchannel.connection;

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
        if (Utf8.length(reason) <= MAX_REASON_BYTES) {
            return reason;
        }
        String ellipsis = "…";
        int budget = MAX_REASON_BYTES - Utf8.length(ellipsis);
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
        return reason.substring(0, end) + ellipsis;
    }

    @Override
    public String toString() {
        return code + " " + reason;
    }
}
