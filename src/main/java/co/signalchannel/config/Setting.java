package co.signalchannel.config;

import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Every tunable limit of the server, with its documented default.
 *
 * <p>A setting named {@code message.max-bytes} is read, first found wins, from the system
 * property {@code signalchannel.message.max-bytes}, the environment variable
 * {@code SIGNALCHANNEL_MESSAGE_MAX_BYTES}, the web application's context parameter
 * {@code signalchannel.message.max-bytes} (e.g. in {@code web.xml}), and finally the default
 * below. Values are positive whole numbers; durations are in milliseconds.
 */
public enum Setting {

    MESSAGE_MAX_BYTES("message.max-bytes", 65_536,
            "Largest message a client may send (bytes; text counted in UTF-8). Larger closes the session with 1009."),
    JSON_MAX_DEPTH("json.max-depth", 64,
            "Deepest nesting of arrays and objects in JSON a client sends (a scuttlebutt line, a relay header). Deeper closes the session with 1007."),
    NAMESPACE_MAX_LENGTH("namespace.max-length", 256,
            "Longest namespace name (characters, after percent-decoding). Longer is refused with 1008."),
    NAMESPACE_MAX_SESSIONS("namespace.max-sessions", 10_000,
            "Sessions open at once on one namespace of one endpoint. Beyond it new sessions are refused with 1013."),
    SESSIONS_MAX("sessions.max", 50_000,
            "Sessions open at once on the whole server, all endpoints together. Beyond it new sessions are refused with 1013."),
    OUTBOX_MAX_MESSAGES("outbox.max-messages", 1_024,
            "Messages waiting to be sent to one session. A session whose queue overflows is closed with 1013."),
    OUTBOX_MAX_BYTES("outbox.max-bytes", 4_194_304,
            "Bytes waiting to be sent to one session. A session whose queue overflows is closed with 1013."),
    FAN_OUT_MIN_SESSIONS("fan-out.min-sessions", 32,
            "A namespace with more sessions than this has the threads receiving its messages share the delivery of each broadcast, so it spreads over the machine's cores; a smaller one delivers each on the receiving thread alone."),
    HEARTBEAT_INTERVAL_MS("heartbeat.interval-ms", 20_000,
            "How often the server pings every session, keeping it alive through proxies."),
    HEARTBEAT_TIMEOUT_MS("heartbeat.timeout-ms", 60_000,
            "A session from which nothing (not even a pong) was heard for this long is closed with 1001 as dead."),
    CLOSE_TIMEOUT_MS("close.timeout-ms", 5_000,
            "How long a client has to answer the server's close frame before the server drops the connection."),
    DRAIN_TIMEOUT_MS("drain.timeout-ms", 5_000,
            "On undeploy or shutdown, how long sessions are given to receive what is queued for them before all are closed with 1001; no session is admitted meanwhile."),
    RELAY_PAIRING_TIMEOUT_MS("relay.pairing-timeout-ms", 60_000,
            "How long a relay session may wait for its header and its mirror partner before it is closed with 1008."),
    RELAY_BUFFER_MAX_MESSAGES("relay.buffer.max-messages", 256,
            "Messages a relay session may send before it is paired; more closes it with 1008."),
    RELAY_BUFFER_MAX_BYTES("relay.buffer.max-bytes", 1_048_576,
            "Bytes a relay session may send before it is paired; more closes it with 1008."),
    SCUTTLEBUTT_MAX_AGE_MS("scuttlebutt.max-age-ms", 86_400_000,
            "Records (and deletions) older than this are purged and never sent again; older updates are dropped."),
    SCUTTLEBUTT_MAX_KEYS("scuttlebutt.max-keys", 500,
            "Live keys per scuttlebutt namespace; beyond it the least recently updated key is evicted."),
    SCUTTLEBUTT_MAX_TOMBSTONES("scuttlebutt.max-tombstones", 1_000,
            "Remembered deletions per scuttlebutt namespace; beyond it the oldest is forgotten."),
    SCUTTLEBUTT_MAX_FIELDS_PER_KEY("scuttlebutt.max-fields-per-key", 64,
            "Fields one object value may gather through merges; a patch that would exceed it is refused."),
    SCUTTLEBUTT_MAX_BYTES("scuttlebutt.max-bytes", 4_194_304,
            "Bytes one scuttlebutt namespace may retain (estimated as the heap its records take: JSON text plus 384 per record, more for objects and arrays); beyond it the least recently updated key is evicted."),
    SCUTTLEBUTT_MAX_NAMESPACES("scuttlebutt.max-namespaces", 1_000,
            "Scuttlebutt namespaces held at once. Beyond it the longest-idle namespace without sessions is forgotten; if every one has sessions, new sessions are refused with 1013."),
    SCUTTLEBUTT_TOTAL_MAX_BYTES("scuttlebutt.total-max-bytes", () -> Runtime.getRuntime().maxMemory() / 4,
            "a quarter of the maximum heap (`-Xmx`)",
            "Bytes all scuttlebutt namespaces together may retain, counted as `scuttlebutt.max-bytes` counts them. An update beyond it has the longest-idle namespaces without sessions forgotten until it fits; if every namespace holding bytes has sessions, the session that sent it is closed with 1013."),
    SCUTTLEBUTT_KEY_MAX_LENGTH("scuttlebutt.key.max-length", 256,
            "Longest key (characters) in an update; longer closes the session with 1009."),
    SCUTTLEBUTT_VALUE_MAX_BYTES("scuttlebutt.value.max-bytes", 16_384,
            "Largest value (bytes of its JSON as sent on: compact, numbers as written) in an update; larger closes the session with 1009."),
    SCUTTLEBUTT_MESSAGE_MAX_VALUES("scuttlebutt.message.max-values", 1_000,
            "JSON lines one message may carry; more closes the session with 1009."),
    RATE_MESSAGES_PER_SECOND("rate.messages-per-second", 200,
            "Messages one session may send per second, on average. A session that sends faster (beyond the burst) is closed with 1008."),
    RATE_MESSAGES_BURST("rate.messages-burst", 2_000,
            "Messages one session may send at once above its rate, e.g. a scuttlebutt replica's catch-up after a reconnect."),
    RATE_BYTES_PER_SECOND("rate.bytes-per-second", 1_048_576,
            "Bytes one session may send per second, on average (text counted in UTF-8). A session that sends faster (beyond the burst) is closed with 1008."),
    RATE_BYTES_BURST("rate.bytes-burst", 8_388_608,
            "Bytes one session may send at once above its rate."),
    ADDRESS_SESSIONS_PER_SECOND("address.sessions-per-second", 50,
            "New sessions one client address may open per second, on average, on one node. Beyond it (and the burst) the handshake is refused with HTTP 429."),
    ADDRESS_SESSIONS_BURST("address.sessions-burst", 200,
            "New sessions one client address may open at once above its rate, on one node."),
    ADDRESS_MAX_SESSIONS("address.max-sessions", 1_000,
            "Sessions one client address may hold open at once on one node. Beyond it the handshake is refused with HTTP 429 (or, if it raced past that check, the session is closed with 1013)."),
    TURN_LIFETIME_MS("turn.lifetime-ms", 3_600_000,
            "How long a TURN credential from `GET /v1/ice-servers` is valid; the browser client fetches a fresh one for every peer connection."),
    CLUSTER_NODE_TIMEOUT_MS("cluster.node-timeout-ms", 15_000,
            "A cluster node not heard from for this long is taken for dead: the others close its sessions' relay partners with 1001 and stop counting its sessions. Each node reports itself every third of it."),
    CLUSTER_REDIS_TIMEOUT_MS("cluster.redis-timeout-ms", 5_000,
            "How long a node waits for Redis. Redis unanswering for this long counts as lost: the node closes every session with 1013 and refuses new ones until Redis answers again.");

    private final String key;
    private final LongSupplier defaultValue;
    private final String documentedDefault;
    private final String description;

    Setting(String key, long defaultValue, String description) {
        this(key, () -> defaultValue, "`" + defaultValue + "`", description);
    }

    /** A setting whose default depends on the machine, e.g. on the heap the JVM was given. */
    Setting(String key, LongSupplier defaultValue, String documentedDefault, String description) {
        this.key = key;
        this.defaultValue = defaultValue;
        this.documentedDefault = documentedDefault;
        this.description = description;
    }

    public String key() {
        return key;
    }

    /** The value used when none is set; a few settings derive it from the running JVM. */
    public long defaultValue() {
        return defaultValue.getAsLong();
    }

    /** The default as the README's configuration table states it: the number, or how it is derived. */
    public String documentedDefault() {
        return documentedDefault;
    }

    public String description() {
        return description;
    }

    /** The system property and context parameter name, e.g. {@code signalchannel.message.max-bytes}. */
    public String propertyName() {
        return "signalchannel." + key;
    }

    /** The environment variable name, e.g. {@code SIGNALCHANNEL_MESSAGE_MAX_BYTES}. */
    public String environmentName() {
        return environmentName(propertyName());
    }

    /** The environment variable for a property name: upper case, {@code .} and {@code -} as {@code _}. */
    static String environmentName(String propertyName) {
        return propertyName.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }
}
