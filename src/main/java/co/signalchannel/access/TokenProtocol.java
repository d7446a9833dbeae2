package co.signalchannel.access;

import java.util.List;
import java.util.Optional;

/**
 * How a session's token travels: as a WebSocket subprotocol, {@code signal-channel.token.<jwt>},
 * offered next to {@code signal-channel}, which the server chooses, so the token is never echoed.
 * Browsers cannot set headers on a WebSocket; of what they can set, a subprotocol stays out of the
 * URL, and so out of access logs, proxy logs and browser history, where a query parameter would
 * land. (A JWT's characters are all allowed in a subprotocol name.)
 */
public final class TokenProtocol {

    /** The subprotocol every endpoint accepts, chosen whenever a client offers it. */
    public static final String NAME = "signal-channel";
    public static final String TOKEN_PREFIX = NAME + ".token.";

    private TokenProtocol() {
    }

    /**
     * The token among a handshake's {@code Sec-WebSocket-Protocol} headers.
     *
     * @return the token; empty if none is offered
     * @throws TokenRefusedException if more than one is
     */
    public static Optional<String> tokenIn(List<String> protocolHeaders) throws TokenRefusedException {
        String token = null;
        for (String header : protocolHeaders) {
            for (String protocol : header.split(",")) {
                String offered = protocol.strip();
                if (offered.startsWith(TOKEN_PREFIX)) {
                    if (token != null) {
                        throw new TokenRefusedException(TokenRefusedException.INVALID);
                    }
                    token = offered.substring(TOKEN_PREFIX.length());
                }
            }
        }
        return Optional.ofNullable(token);
    }
}
