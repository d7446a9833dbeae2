package co.signalchannel.connection;

/**
 * A session broke the protocol or a limit; it is closed with {@link #closure()}.
 * Thrown by the pure models and codecs, turned into a close by the feature beans.
 */
public class ProtocolViolation extends Exception {

    private final transient Closure closure;

    public ProtocolViolation(int code, String reason) {
        super(reason, null, false, false);
        this.closure = new Closure(code, reason);
    }

    public Closure closure() {
        return closure;
    }
}
