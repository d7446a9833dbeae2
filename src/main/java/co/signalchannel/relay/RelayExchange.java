package co.signalchannel.relay;

import co.signalchannel.cluster.ClusterNode;
import co.signalchannel.cluster.ClusterUnavailableException;
import co.signalchannel.cluster.Envelope;
import co.signalchannel.config.Setting;
import co.signalchannel.config.Settings;
import co.signalchannel.connection.CloseCodes;
import co.signalchannel.connection.Connection;
import co.signalchannel.connection.Connections;
import co.signalchannel.connection.Outgoing;
import co.signalchannel.connection.ProtocolViolation;
import co.signalchannel.json.JsonTextReader;
import co.signalchannel.namespace.NamespaceRegistry;
import co.signalchannel.namespace.Usage;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.websocket.Session;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.logging.Logger;

/**
 * The relay namespaces of the server: sessions that present mirror headers are paired, and from
 * then on everything one sends reaches the other alone.
 *
 * <p>In a cluster the claims are held in Redis ({@link ClusterRendezvous}) and the two partners
 * may be on different nodes: each relay session here keeps this node's relay channel subscribed,
 * on which the other nodes address its parties ({@link RemoteParty}).
 */
@ApplicationScoped
public class RelayExchange {

    private static final Logger LOG = Logger.getLogger(RelayExchange.class.getName());

    @Inject
    Connections connections;

    @Inject
    ClusterNode cluster;

    private NamespaceRegistry<RelayNamespace> namespaces;
    private RelayParty.Limits limits;
    private JsonTextReader headers;
    private Duration pairingTimeout;
    /** In a cluster: this node's parties by session id, as the other nodes address them. */
    private final Map<String, RelayParty> parties = new ConcurrentHashMap<>();
    /** In a cluster: this node's relay channel, once a relay session has opened here; guarded by this. */
    private ClusterNode.Subscription nodeChannel;

    @PostConstruct
    void init() {
        Settings settings = connections.settings();
        namespaces = new NamespaceRegistry<>("relay", name -> new RelayNamespace(cluster.enabled()
                        ? new ClusterRendezvous(cluster, name, parties) : Rendezvous.alone()),
                settings.getInt(Setting.NAMESPACE_MAX_LENGTH), settings.getInt(Setting.NAMESPACE_MAX_SESSIONS));
        limits = new RelayParty.Limits(settings.getInt(Setting.RELAY_BUFFER_MAX_MESSAGES),
                settings.get(Setting.RELAY_BUFFER_MAX_BYTES));
        pairingTimeout = settings.duration(Setting.RELAY_PAIRING_TIMEOUT_MS);
        headers = new JsonTextReader(settings.getInt(Setting.JSON_MAX_DEPTH));
        if (cluster.enabled()) {
            cluster.onNodeLost(this::nodeLost);
        }
    }

    /** Joins a newly opened session to its relay namespace; it must present its header next. */
    public Connection join(Session session, String namespace) {
        return connections.open(session, connection -> {
            RelayNamespace joined = namespaces.join(namespace, connection);
            RelayParty party = new RelayParty(connection, joined.pairings(), limits, headers);
            if (cluster.enabled()) {
                reachableFromTheCluster(party, connection);
            }
            ScheduledFuture<?> deadline = connections.schedule(
                    () -> party.pairingDeadline(pairingTimeout.toMillis()), pairingTimeout);
            connection.onEnd(() -> {
                deadline.cancel(false);
                party.ended();
            });
            return party;
        });
    }

    /**
     * Makes the party reachable by the other nodes. The node's relay channel is subscribed with
     * its first relay session and kept: subscribing and unsubscribing with every call set-up
     * would add a round trip to Redis to each, on a channel that is soon wanted again.
     */
    private void reachableFromTheCluster(RelayParty party, Connection connection) throws ProtocolViolation {
        synchronized (this) {
            if (nodeChannel == null) {
                try {
                    nodeChannel = cluster.subscribe(RemoteParty.channel(cluster, cluster.nodeId()), this::fromNode);
                } catch (ClusterUnavailableException e) {
                    throw new ProtocolViolation(CloseCodes.TRY_AGAIN_LATER, e.getMessage());
                }
            }
        }
        parties.put(party.id(), party);
        connection.onEnd(() -> parties.remove(party.id()));
    }

    /** A message from another node (or this one) to one of this node's parties. */
    private void fromNode(byte[] message) {
        Envelope envelope;
        try {
            envelope = Envelope.decode(message);
        } catch (IllegalArgumentException e) {
            LOG.warning("ignored a message on this node's relay channel that no node sent: " + e.getMessage());
            return;
        }
        RelayParty party = parties.get(envelope.address());
        switch (envelope.kind()) {
            case RemoteParty.PAIR -> {
                RemoteParty newcomer = RemoteParty.at(cluster, envelope.text(), party);
                if (newcomer == null) {
                    return;
                }
                if (party == null || !party.pairWith(newcomer)) {
                    // Ended here before the pairing came: the newcomer is hung up on, as on one server.
                    new RemoteParty(cluster, newcomer.node(), newcomer.id(), null).hangUp();
                }
            }
            case RemoteParty.TEXT -> {
                if (party != null) {
                    party.deliver(new Outgoing.Text(envelope.text()));
                }
            }
            case RemoteParty.BINARY -> {
                if (party != null) {
                    party.deliver(new Outgoing.Binary(envelope.payload()));
                }
            }
            case RemoteParty.GONE -> {
                if (party != null) {
                    party.hangUp();
                }
            }
            default -> LOG.warning("ignored a relay message of unknown kind " + envelope.kind());
        }
    }

    /** Partners of this node's parties on the lost node are closed; the lost node's claims are freed. */
    private void nodeLost(String node) {
        parties.values().forEach(party -> party.nodeLost(node));
        ClusterRendezvous.forgetNode(cluster, node);
    }

    /** How many namespaces and sessions this endpoint holds right now. */
    public Usage usage() {
        return new Usage(namespaces.size(), namespaces.sessions());
    }

    /** Sessions open on the namespace of that name (0 if it is not in use). */
    public int sessions(String namespace) {
        return namespaces.sessions(namespace);
    }
}
