package co.signalchannel.relay;

import co.signalchannel.connection.CloseCodes;
import co.signalchannel.connection.Closure;
import co.signalchannel.connection.Connection;
import co.signalchannel.connection.Outgoing;
import co.signalchannel.connection.ProtocolViolation;
import co.signalchannel.connection.Receiver;
import co.signalchannel.json.JsonTextReader;

import java.util.ArrayList;
import java.util.List;

/**
 * One relay session's side of the exchange: its header, what it sent before it was paired, and
 * its partner once it has one.
 *
 * <p>Ordering guarantee: a partner receives {@code {"open":true}}, then everything this session
 * sent before pairing, then everything it sends afterwards, in the order it was sent. Both the
 * buffering and the pairing take this party's lock, so no message can overtake the buffer. The
 * partner may be on another node ({@link RemoteParty}): what goes to it then travels through one
 * Redis channel, which keeps that order.
 */
final class RelayParty implements Receiver, Partner {

    static final String OPEN = "{\"open\":true}";

    /** How much a session may send before it has a partner. */
    record Limits(int maxBufferedMessages, long maxBufferedBytes) {
    }

    private final Connection connection;
    private final Rendezvous pairings;
    private final Limits limits;
    private final JsonTextReader json;

    private volatile RelayHeader header; // written once, by this session's own receiving thread
    // guarded by this:
    private Partner partner;
    private List<Outgoing> buffered = new ArrayList<>();
    private long bufferedBytes;
    private boolean ended;

    /** @param json reads the header; shared by every party */
    RelayParty(Connection connection, Rendezvous pairings, Limits limits, JsonTextReader json) {
        this.connection = connection;
        this.pairings = pairings;
        this.limits = limits;
        this.json = json;
    }

    @Override
    public void onText(String text) throws ProtocolViolation {
        if (header == null) {
            present(RelayHeader.parse(text, json));
        } else {
            forward(new Outgoing.Text(text));
        }
    }

    @Override
    public void onBinary(byte[] data) throws ProtocolViolation {
        if (header == null) {
            throw new ProtocolViolation(CloseCodes.UNSUPPORTED_DATA,
                    "the first relay message must be a text header {\"local\": ..., \"remote\": ...}, not binary");
        }
        forward(new Outgoing.Binary(data));
    }

    private void present(RelayHeader claimed) throws ProtocolViolation {
        RelayPairings.Claim<Partner> claim = pairings.claim(this, claimed);
        if (claim instanceof RelayPairings.Claim.Refused) {
            throw new ProtocolViolation(CloseCodes.POLICY_VIOLATION,
                    "refused: another open session already holds this relay pairing (local/remote)");
        }
        header = claimed;
        if (claim instanceof RelayPairings.Claim.Paired<Partner> paired) {
            Partner waiting = paired.partner();
            synchronized (this) {
                partner = waiting; // before the pairing: the waiting one may answer at once
            }
            if (!waiting.pairWith(this)) {
                synchronized (this) {
                    partner = null;
                }
                connection.close(partnerGone());
            }
        }
    }

    /** This session's id, which a partner on another node addresses it by. */
    String id() {
        return connection.id();
    }

    @Override
    public void deliver(Outgoing message) {
        connection.send(message);
    }

    @Override
    public void hangUp() {
        connection.close(partnerGone());
    }

    @Override
    public boolean pairWith(Partner newcomer) {
        if (!acceptPartner(newcomer)) {
            return false;
        }
        connection.send(OPEN);
        return true;
    }

    /**
     * Opens the newcomer and hands it this party's buffer, all under this party's lock.
     *
     * @return false if this party ended meanwhile
     */
    private synchronized boolean acceptPartner(Partner newcomer) {
        if (ended) {
            return false;
        }
        newcomer.deliver(new Outgoing.Text(OPEN));
        for (Outgoing message : buffered) {
            newcomer.deliver(message);
        }
        buffered = null;
        partner = newcomer;
        return true;
    }

    /** Closes this session if its partner was on the node that was lost. */
    void nodeLost(String node) {
        Partner current;
        synchronized (this) {
            current = partner;
        }
        if (current instanceof RemoteParty remote && remote.node().equals(node)) {
            connection.close(new Closure(CloseCodes.GOING_AWAY, "relay partner's node " + node + " was lost"));
        }
    }

    /** Aborts this session: a message it sent could not be passed on to its partner's node. */
    void undeliverable(String problem) {
        connection.abort(new Closure(CloseCodes.TRY_AGAIN_LATER, problem));
    }

    private synchronized void forward(Outgoing message) throws ProtocolViolation {
        if (partner != null) {
            partner.deliver(message);
            return;
        }
        if (buffered.size() + 1 > limits.maxBufferedMessages()
                || bufferedBytes + message.size() > limits.maxBufferedBytes()) {
            throw new ProtocolViolation(CloseCodes.POLICY_VIOLATION, "sent more than the "
                    + limits.maxBufferedMessages() + " messages or " + limits.maxBufferedBytes()
                    + " bytes a relay session may send before it is paired");
        }
        buffered.add(message);
        bufferedBytes += message.size();
    }

    /** Closes the session unless it found its partner in time. */
    void pairingDeadline(long waitedMillis) {
        boolean paired;
        synchronized (this) {
            paired = partner != null;
        }
        if (!paired) {
            connection.abort(new Closure(CloseCodes.POLICY_VIOLATION, (header == null
                    ? "no relay header" : "no partner presented the mirror header")
                    + " within " + waitedMillis + " ms"));
        }
    }

    /** The session ended: frees its claim and closes its partner once the partner has what was sent. */
    void ended() {
        Partner formerPartner;
        synchronized (this) {
            ended = true;
            formerPartner = partner;
            buffered = null;
        }
        if (header != null) {
            pairings.release(this, header);
        }
        if (formerPartner != null) {
            formerPartner.hangUp();
        }
    }

    private static Closure partnerGone() {
        return new Closure(CloseCodes.NORMAL, "relay partner closed");
    }
}
