package co.signalchannel.scuttlebutt;

/**
 * A received message is well-formed but over a configured {@linkplain ScuttlebuttCodec.Limits
 * limit}: a key or source too long, a value too large, too many values in one message. The message
 * names the limit, e.g. {@code line 1: update value is 20000 bytes, over the limit of 16384}.
 * A subclass so an endpoint can pick a different close code (1009) than for garbage (1007).
 */
public final class MessageLimitException extends MalformedMessageException {

    public MessageLimitException(int line, String problem) {
        super(line, problem);
    }
}
