package co.signalchannel.scuttlebutt;

import co.signalchannel.config.Setting;
import co.signalchannel.config.Settings;
import co.signalchannel.connection.Connection;
import co.signalchannel.connection.Connections;
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
 */
@ApplicationScoped
public class ScuttlebuttHub {

    @Inject
    Connections connections;

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
        namespaces = new ScuttlebuttStore(new ScuttlebuttStore.Bounds(
                settings.getInt(Setting.NAMESPACE_MAX_LENGTH), settings.getInt(Setting.NAMESPACE_MAX_SESSIONS),
                settings.getInt(Setting.SCUTTLEBUTT_MAX_NAMESPACES), settings.get(Setting.SCUTTLEBUTT_TOTAL_MAX_BYTES)),
                modelLimits, codec, InstantSource.system(), connections.fanOutMinSlice());
        // Expired records go even from namespaces nobody writes to; then empty namespaces go too.
        Duration sweep = modelLimits.maxAge().dividedBy(2);
        connections.every(sweep.compareTo(Duration.ofMinutes(1)) < 0 ? sweep : Duration.ofMinutes(1), namespaces::sweep);
    }

    /** Joins a newly opened session to its scuttlebutt namespace and sends it the server's digest. */
    public Connection join(Session session, String namespace) {
        // A full history must fit in the session's outbox at once, whatever the outbox setting.
        long history = 2 * modelLimits.maxRetainedBytes();
        return connections.open(session, history, connection -> {
            ScuttlebuttNamespace joined = namespaces.join(namespace, connection);
            return new ScuttlebuttSession(connection, joined, codec, namespaces::receive);
        });
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
