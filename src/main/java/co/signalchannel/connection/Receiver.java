package co.signalchannel.connection;

/**
 * What a feature does with the messages of one session, after the size check. Called by one
 * thread at a time per session (the container delivers a session's messages in order). Throwing
 * {@link ProtocolViolation} closes that session alone with the violation's code and reason.
 */
public interface Receiver {

    void onText(String text) throws ProtocolViolation;

    void onBinary(byte[] data) throws ProtocolViolation;

    /** For endpoints whose protocol is text only. */
    static ProtocolViolation binaryRefused(String endpoint) {
        return new ProtocolViolation(CloseCodes.UNSUPPORTED_DATA,
                endpoint + " takes text messages only; binary message refused");
    }
}
