package co.signalchannel.relay;

import co.signalchannel.cluster.ClusterNode;
import co.signalchannel.cluster.Envelope;
import co.signalchannel.connection.Outgoing;

/**
 * A relay partner on another node of the cluster, as seen by the party here it is paired with:
 * what goes to it is published on its node's relay channel, addressed to it, through the one
 * connection this node publishes on, so it arrives in the order it was sent.
 *
 * @param node  the partner's node
 * @param id    the partner's session id on that node
 * @param local the party on this node it is (or is being) paired with; null for a hang-up sent
 *              on behalf of a party that ended before the pairing reached it
 */
record RemoteParty(ClusterNode cluster, String node, String id, RelayParty local) implements Partner {

    /** Kinds of relay envelope between nodes. */
    static final byte PAIR = 'P';
    static final byte TEXT = 'T';
    static final byte BINARY = 'B';
    static final byte GONE = 'G';

    /** The relay channel of a node, to which its relay sessions subscribe. */
    static String channel(ClusterNode cluster, String node) {
        return cluster.name("relay", "node", node);
    }

    /** How a party is addressed across the cluster: {@code node/session}. */
    static String address(String node, String id) {
        return node + "/" + id;
    }

    /** The partner an address names, as seen from {@code local}; null if it is not an address. */
    static RemoteParty at(ClusterNode cluster, String address, RelayParty local) {
        int slash = address.indexOf('/');
        return slash <= 0 ? null : new RemoteParty(cluster, address.substring(0, slash), address.substring(slash + 1), local);
    }

    @Override
    public void deliver(Outgoing message) {
        Envelope envelope = message instanceof Outgoing.Binary binary
                ? new Envelope(BINARY, id, binary.data())
                : Envelope.of(TEXT, id, ((Outgoing.Text) message).text());
        send(envelope);
    }

    @Override
    public void hangUp() {
        send(new Envelope(GONE, id, new byte[0]));
    }

    /** Asks the partner's node to pair its waiting party with {@code newcomer}, which is {@link #local}. */
    @Override
    public boolean pairWith(Partner newcomer) {
        send(Envelope.of(PAIR, id, address(cluster.nodeId(), local.id())));
        return true;
    }

    /**
     * Publishes; a message Redis did not take, or that no node received (the partner's node is
     * gone), ends the local party rather than vanish.
     */
    private void send(Envelope envelope) {
        cluster.publish(channel(cluster, node), envelope.encode()).whenComplete((receivers, failure) -> {
            if (local == null) {
                return; // a hang-up for a party that never was paired here
            }
            if (failure != null) {
                local.undeliverable("message not delivered: this node cannot reach the cluster's Redis; reconnect");
            } else if (receivers == 0 && envelope.kind() != GONE) {
                local.nodeLost(node);
            }
        });
    }
}
