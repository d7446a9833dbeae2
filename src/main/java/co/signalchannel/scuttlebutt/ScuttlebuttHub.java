package co.signalchannel.scuttlebutt;

import co.signalchannel.config.Setting;
import co.signalchannel.config.Settings;
import co.signalchannel.connection.CloseCodes;
import co.signalchannel.connection.Connection;
import co.signalchannel.connection.Connections;
import co.signalchannel.connection.ProtocolViolation;
import co.signalchannel.namespace.NamespaceRegistry;
import co.signalchannel.namespace.Usage;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.websocket.Session;

import java.time.Duration;
import java.time.InstantSource;
import java.util.UUID;

/**
 * The scuttlebutt namespaces of the server: each a replicated, expiring key/value model that every
 * session of the namespace replicates with. Models live in memory only; a namespace is forgotten
 * once it has no sessions and remembers nothing, or when room is needed for a new one.
 */
@ApplicationScoped
public class ScuttlebuttHub {

    @Inject
    Connections connections;

    private NamespaceRegistry<ScuttlebuttNamespace> namespaces;
    private ScuttlebuttCodec codec;
    private ExpiryModel.Limits modelLimits;
    private int maxNamespaces;
    private final InstantSource clock = InstantSource.system();

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
        maxNamespaces = settings.getInt(Setting.SCUTTLEBUTT_MAX_NAMESPACES);
        namespaces = new NamespaceRegistry<>("scuttlebutt",
                name -> new ScuttlebuttNamespace(UUID.randomUUID().toString(), new ExpiryModel(modelLimits, clock),
                        codec, clock::millis, connections.fanOutMinSlice()),
                settings.getInt(Setting.NAMESPACE_MAX_LENGTH), settings.getInt(Setting.NAMESPACE_MAX_SESSIONS));
        // Expired records go even from namespaces nobody writes to; then empty namespaces go too.
        Duration sweep = modelLimits.maxAge().dividedBy(2);
        connections.every(sweep.compareTo(Duration.ofMinutes(1)) < 0 ? sweep : Duration.ofMinutes(1), this::sweep);
    }

    /** Joins a newly opened session to its scuttlebutt namespace and sends it the server's digest. */
    public Connection join(Session session, String namespace) {
        // A full history must fit in the session's outbox at once, whatever the outbox setting.
        long history = 2 * modelLimits.maxRetainedBytes();
        return connections.open(session, history, connection -> {
            makeRoomFor(namespace);
            ScuttlebuttNamespace joined = namespaces.join(namespace, connection);
            return new ScuttlebuttSession(connection, joined, codec);
        });
    }

    private void makeRoomFor(String namespace) throws ProtocolViolation {
        if (namespaces.contains(namespace) || namespaces.size() < maxNamespaces) {
            return;
        }
        if (!namespaces.dropLowest(ScuttlebuttNamespace::lastActive, ScuttlebuttNamespace::hasNoSessions)) {
            throw new ProtocolViolation(CloseCodes.TRY_AGAIN_LATER, "server holds its limit of " + maxNamespaces
                    + " scuttlebutt namespaces, all in use; try again later");
        }
    }

    private void sweep() {
        namespaces.forEach((name, namespace) -> {
            namespace.purgeExpired();
            namespaces.dropIfAbandoned(name);
        });
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
