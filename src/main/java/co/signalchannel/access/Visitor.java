package co.signalchannel.access;

import java.security.Principal;
import java.util.Optional;

/**
 * What the opening-handshake checks found out about a session's client, handed to the endpoint as
 * the session's user principal: its address (through trusted proxies), what its token grants, or
 * why it is refused after all. A refusal travels this way, to be a close with 1008 and a reason,
 * rather than an HTTP status, because a browser shows a page nothing of a refused handshake but
 * shows it the reason of a close.
 *
 * @param address the client's address, for the per-address limits
 * @param grant   what its token grants; empty when tokens are off
 * @param refusal the reason its session must be closed with 1008 as soon as it opens; empty if none
 */
public record Visitor(String address, Optional<Grant> grant, Optional<String> refusal) implements Principal {

    static final String ANONYMOUS = "anonymous";

    static Visitor refused(String address, String reason) {
        return new Visitor(address, Optional.empty(), Optional.of(reason));
    }

    /** The token's subject, or {@code anonymous}. */
    @Override
    public String getName() {
        return grant.flatMap(Grant::subject).orElse(ANONYMOUS);
    }
}
