package co.signalchannel.bench;

/** Reads the numbers the scenarios put in their messages, straight from the received bytes. */
final class Ascii {

    private Ascii() {
    }

    /** The index just past the (optionally negative) decimal number at {@code from}. */
    static int endOfNumber(byte[] data, int from, int to) {
        int i = from;
        if (i < to && data[i] == '-') {
            i++;
        }
        while (i < to && data[i] >= '0' && data[i] <= '9') {
            i++;
        }
        return i;
    }

    /** The (optionally negative) decimal number at {@code from}. */
    static long parseLong(byte[] data, int from, int to) {
        int i = from;
        boolean negative = i < to && data[i] == '-';
        if (negative) {
            i++;
        }
        long value = 0;
        int digits = 0;
        while (i < to && data[i] >= '0' && data[i] <= '9') {
            value = value * 10 + (data[i] - '0');
            i++;
            digits++;
        }
        if (digits == 0) {
            throw new IllegalArgumentException("no number at " + from);
        }
        return negative ? -value : value;
    }

    /** The index of the first byte after {@code needle} in {@code data[from, to)}, or -1. */
    static int after(byte[] data, int from, int to, byte[] needle) {
        outer:
        for (int i = from; i <= to - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (data[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i + needle.length;
        }
        return -1;
    }

    static boolean startsWith(byte[] data, int from, int to, byte[] prefix) {
        if (to - from < prefix.length) {
            return false;
        }
        for (int j = 0; j < prefix.length; j++) {
            if (data[from + j] != prefix[j]) {
                return false;
            }
        }
        return true;
    }

    /** {@code text} padded with {@code x} to {@code length} bytes (never cut). */
    static byte[] padded(String text, int length) {
        StringBuilder padded = new StringBuilder(Math.max(length, text.length())).append(text);
        while (padded.length() < length) {
            padded.append('x');
        }
        return padded.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }
}
