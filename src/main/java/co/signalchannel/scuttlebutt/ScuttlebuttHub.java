package co.signalchannel.scuttlebutt;

import co.signalchannel.cluster.ClusterNode;
import co.signalchannel.cluster.ClusterUnavailableException;
import co.signalchannel.config.Setting;
import co.signalchannel.config.Settings;
import co.signalchannel.connection.CloseCodes;
import co.signalchannel.connection.Connection;
import co.signalchannel.connection.Connections;
import co.signalchannel.connection.ProtocolViolation;
import co.signalchannel.namespace.Usage;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.websocket.Session;

import java.time.Duration;
import java.time.InstantSource;

/**
 * The scuttlebutt namespaces of the server: each a replicated, expiring key/value model that every
 * session of the namespace replicates with. Models live in memory only; a namespace is forgotten
 * once it has no sessions and remembers nothing, or when room is needed for a new one or for the
 * bytes of an update ({@link ScuttlebuttStore} says which goes, and when a session is refused).
 *
 * <p>In a cluster each node's models are replicas of one another, kept in step through a log per
 * namespace in Redis ({@link ClusterReplication}).
 */
@ApplicationScoped
public class ScuttlebuttHub {

    @Inject
    Connections connections;

    @Inject
    ClusterNode cluster;

    /** In a cluster: the log each namespace is replicated through; null alone. */
    private ClusterReplication replication;

    private ScuttlebuttStore namespaces;
    private ScuttlebuttCodec codec;
    private ExpiryModel.Limits modelLimits;

    @PostConstruct
    void init() {
        Settings settings = connections.settings();
        codec = new ScuttlebuttCodec(new ScuttlebuttCodec.Limits(
                settings.getInt(Setting.SCUTTLEBUTT_KEY_MAX_LENGTH),
                ScuttlebuttCodec.Limits.DEFAULTS.maxSourceLength(),
                settings.getInt(Setting.SCUTTLEBUTT_VALUE_MAX_BYTES),
                settings.getInt(Setting.SCUTTLEBUTT_MESSAGE_MAX_VALUES),
                settings.getInt(Setting.JSON_MAX_DEPTH)));
        modelLimits = new ExpiryModel.Limits(
                settings.duration(Setting.SCUTTLEBUTT_MAX_AGE_MS),
                settings.getInt(Setting.SCUTTLEBUTT_MAX_KEYS),
                settings.getInt(Setting.SCUTTLEBUTT_MAX_TOMBSTONES),
                settings.getInt(Setting.SCUTTLEBUTT_MAX_FIELDS_PER_KEY),
                settings.get(Setting.SCUTTLEBUTT_MAX_BYTES));
        replication = cluster.enabled() ? new ClusterReplication(cluster, codec, modelLimits.maxAge()) : null;
        namespaces = new ScuttlebuttStore(new ScuttlebuttStore.Bounds(
                settings.getInt(Setting.NAMESPACE_MAX_LENGTH), settings.getInt(Setting.NAMESPACE_MAX_SESSIONS),
                settings.getInt(Setting.SCUTTLEBUTT_MAX_NAMESPACES), settings.get(Setting.SCUTTLEBUTT_TOTAL_MAX_BYTES)),
                modelLimits, codec, InstantSource.system(), connections.fanOutMinSlice(),
                replication != null ? replication : ScuttlebuttStore.Replication.NONE);
        // Expired records go even from namespaces nobody writes to; then empty namespaces go too.
        Duration sweep = modelLimits.maxAge().dividedBy(2);
        connections.every(sweep.compareTo(Duration.ofMinutes(1)) < 0 ? sweep : Duration.ofMinutes(1), namespaces::sweep);
    }

    /** Joins a newly opened session to its scuttlebutt namespace and sends it the server's digest. */
    public Connection join(Session session, String namespace) {
        // A full history must fit in the session's outbox at once, whatever the outbox setting.
        long history = 2 * modelLimits.maxRetainedBytes();
        return connections.open(session, history, connection -> {
            if (replication != null) {
                connection.onEnd(subscribe(namespace)::close);
            }
            ScuttlebuttNamespace joined = namespaces.join(namespace, connection);
            if (replication != null) {
                joined.clusterSessionJoined();
                connection.onEnd(joined::clusterSessionLeft);
                catchUp(namespace, joined);
            }
            return new ScuttlebuttSession(connection, joined, codec, namespaces::receive);
        });
    }

    private ClusterNode.Subscription subscribe(String namespace) throws ProtocolViolation {
        try {
            return replication.subscribe(namespace, namespaces::find);
        } catch (ClusterUnavailableException e) {
            throw new ProtocolViolation(CloseCodes.TRY_AGAIN_LATER, e.getMessage());
        }
    }

    /**
     * Before the session's history can be asked for, the model holds everything any node had
     * accepted: the first session since the channel was subscribed reads the log, the others wait
     * for it.
     */
    private void catchUp(String name, ScuttlebuttNamespace namespace) throws ProtocolViolation {
        synchronized (namespace) {
            if (namespace.isCaughtUp()) {
                return;
            }
            try {
                replication.catchUp(name, namespace);
            } catch (ClusterUnavailableException e) {
                throw new ProtocolViolation(CloseCodes.TRY_AGAIN_LATER, e.getMessage());
            }
            namespace.markCaughtUp();
        }
    }


    /** How many namespaces and sessions this endpoint holds right now. */
    public Usage usage() {
        return namespaces.usage();
    }

    /** The bytes all scuttlebutt models may retain together, and how many they retain now. */
    public ByteBudget memory() {
        return namespaces.budget();
    }

    /** Sessions open on the namespace of that name (0 if it is not in use). */
    public int sessions(String namespace) {
        return namespaces.sessions(namespace);
    }
}
