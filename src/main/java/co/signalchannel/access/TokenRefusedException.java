package co.signalchannel.access;

/**
 * A token that is not accepted. Its message is all a client is told ({@link #INVALID} or
 * {@link #EXPIRED}), so that a prober learns nothing about keys or which check failed.
 */
public final class TokenRefusedException extends Exception {

    public static final String INVALID = "invalid token";
    public static final String EXPIRED = "expired token";

    TokenRefusedException(String reason) {
        super(reason, null, false, false);
    }
}
