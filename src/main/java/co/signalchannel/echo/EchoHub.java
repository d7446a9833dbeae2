package co.signalchannel.echo;

import co.signalchannel.cluster.ClusterNode;
import co.signalchannel.cluster.ClusterUnavailableException;
import co.signalchannel.cluster.Envelope;
import co.signalchannel.config.Setting;
import co.signalchannel.config.Settings;
import co.signalchannel.connection.CloseCodes;
import co.signalchannel.connection.Closure;
import co.signalchannel.connection.Connection;
import co.signalchannel.connection.Connections;
import co.signalchannel.connection.Outgoing;
import co.signalchannel.connection.ProtocolViolation;
import co.signalchannel.connection.Receiver;
import co.signalchannel.namespace.NamespaceRegistry;
import co.signalchannel.namespace.Usage;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.websocket.Session;

import java.util.logging.Logger;

/**
 * The echo namespaces of the server: every message a session sends reaches every session of its
 * namespace, itself included, text as text and binary as binary. Nothing is stored.
 *
 * <p>In a cluster, a message is not delivered here but published on its namespace's Redis
 * channel, to which every node with sessions in the namespace subscribes, this one included:
 * Redis orders the publishes of one channel, so every session on every node sees the namespace's
 * messages in that one order, and a sender's own echo is the proof its message went round.
 */
@ApplicationScoped
public class EchoHub {

    private static final Logger LOG = Logger.getLogger(EchoHub.class.getName());
    static final byte TEXT = 'T';
    static final byte BINARY = 'B';

    @Inject
    Connections connections;

    @Inject
    ClusterNode cluster;

    private NamespaceRegistry<EchoNamespace> namespaces;

    @PostConstruct
    void init() {
        Settings settings = connections.settings();
        namespaces = new NamespaceRegistry<>("echo", name -> new EchoNamespace(connections.deliveryLanes(),
                        settings.getInt(Setting.FAN_OUT_MIN_SESSIONS)),
                settings.getInt(Setting.NAMESPACE_MAX_LENGTH), settings.getInt(Setting.NAMESPACE_MAX_SESSIONS));
    }

    /** Joins a newly opened session to its echo namespace. */
    public Connection join(Session session, String namespace) {
        return connections.open(session, connection -> {
            // In a cluster, subscribed first: once counted in the namespace, a session receives its messages.
            Receiver clustered = cluster.enabled() ? clustered(connection, namespace) : null;
            EchoNamespace joined = namespaces.join(namespace, connection);
            return clustered != null ? clustered : new Receiver() {
                @Override
                public void onText(String text) {
                    joined.broadcast(new Outgoing.Text(text));
                }

                @Override
                public void onBinary(byte[] data) {
                    joined.broadcast(new Outgoing.Binary(data));
                }
            };
        });
    }

    private Receiver clustered(Connection connection, String namespace) throws ProtocolViolation {
        String channel = cluster.name("echo", namespace);
        try {
            connection.onEnd(cluster.subscribe(channel, message -> deliver(namespace, message))::close);
        } catch (ClusterUnavailableException e) {
            throw new ProtocolViolation(CloseCodes.TRY_AGAIN_LATER, e.getMessage());
        }
        return new Receiver() {
            @Override
            public void onText(String text) {
                publish(connection, channel, Envelope.of(TEXT, "", text));
            }

            @Override
            public void onBinary(byte[] data) {
                publish(connection, channel, new Envelope(BINARY, "", data));
            }
        };
    }

    /** A message Redis did not take was not delivered to anyone: its sender must not think it was. */
    private void publish(Connection sender, String channel, Envelope message) {
        cluster.publish(channel, message.encode()).whenComplete((receivers, failure) -> {
            if (failure != null) {
                sender.abort(new Closure(CloseCodes.TRY_AGAIN_LATER,
                        "message not delivered: this node cannot reach the cluster's Redis; reconnect"));
            }
        });
    }

    /** A message of the namespace from the cluster (any node, this one included), in Redis' order. */
    private void deliver(String namespace, byte[] message) {
        EchoNamespace local = namespaces.find(namespace);
        if (local == null) {
            return; // its last session here left while the message was on its way
        }
        Envelope envelope;
        try {
            envelope = Envelope.decode(message);
        } catch (IllegalArgumentException e) {
            LOG.warning("ignored a message on echo namespace channel that no node sent: " + e.getMessage());
            return;
        }
        local.broadcast(envelope.kind() == BINARY ? new Outgoing.Binary(envelope.payload()) : new Outgoing.Text(envelope.text()));
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
