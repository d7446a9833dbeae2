package co.signalchannel.scuttlebutt;

/**
 * A received message is not valid scuttlebutt: a line is not JSON, or not a digest, an update or
 * {@code "SYNC"}. The message says which line and what was wrong, e.g.
 * {@code line 2: update timestamp must be a number, got "abc"}. Nothing of the message has been
 * applied when this is thrown.
 */
public class MalformedMessageException extends Exception {

    private final int line;

    public MalformedMessageException(int line, String problem) {
        super("line " + line + ": " + problem, null, false, false);
        this.line = line;
    }

    /** The 1-based number of the offending line within the message. */
    public int line() {
        return line;
    }
}
