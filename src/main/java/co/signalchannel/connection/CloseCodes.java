package co.signalchannel.connection;

/**
 * The WebSocket close codes the server uses (RFC 6455 §7.4.1). The browser client reads them to
 * decide whether to reconnect: it never retries after {@link #POLICY_VIOLATION}.
 */
public final class CloseCodes {

    /** The conversation ended as it should, e.g. a relay partner closed. */
    public static final int NORMAL = 1000;
    /** The server is shutting down, or the client stopped answering pings. */
    public static final int GOING_AWAY = 1001;
    /** A message of a kind this endpoint cannot take, e.g. a binary relay header. */
    public static final int UNSUPPORTED_DATA = 1003;
    /** A message that is not what the protocol says: malformed JSON, a bad update or header. */
    public static final int INVALID_PAYLOAD = 1007;
    /** A rule was broken: refused header, name too long, waited too long; do not retry. */
    public static final int POLICY_VIOLATION = 1008;
    /** A message over the size limit. */
    public static final int MESSAGE_TOO_BIG = 1009;
    /** The server failed; the client may retry. */
    public static final int INTERNAL_ERROR = 1011;
    /** The client is too slow to keep up, or the server is full; retry later. */
    public static final int TRY_AGAIN_LATER = 1013;

    private CloseCodes() {
    }
}
