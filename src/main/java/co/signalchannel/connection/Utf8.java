package co.signalchannel.connection;

/** Counts UTF-8 bytes without encoding: limits and close reasons are measured in bytes. */
public final class Utf8 {

    private Utf8() {
    }

    public static int length(CharSequence text) {
        int bytes = 0;
        for (int i = 0; i < text.length(); ) {
            int codePoint = Character.codePointAt(text, i);
            bytes += length(codePoint);
            i += Character.charCount(codePoint);
        }
        return bytes;
    }

    public static int length(int codePoint) {
        if (codePoint < 0x80) {
            return 1;
        }
        if (codePoint < 0x800) {
            return 2;
        }
        // A lone surrogate becomes "?" (one byte) in Java's encoder; counting three is merely
        // conservative.
        return codePoint < 0x10000 ? 3 : 4;
    }
}
