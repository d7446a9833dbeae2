package co.signalchannel.relay;

import co.signalchannel.connection.Outgoing;

/** The other end of a relay pairing: a party on this server, or one on another node of the cluster. */
interface Partner {

    /** Sends the partner's client what its partner sent. */
    void deliver(Outgoing message);

    /** Its partner ended: closes it once it has everything sent before. */
    void hangUp();

    /**
     * Called on the party that waited, for the newcomer that presented the mirror header: the
     * newcomer receives {@code {"open":true}} and everything buffered, then this party does.
     *
     * @return false if this party ended meanwhile (the newcomer is then closed as if hung up on)
     */
    boolean pairWith(Partner newcomer);
}
