package co.signalchannel.scuttlebutt;

import co.signalchannel.cluster.ClusterNode;
import co.signalchannel.cluster.ClusterUnavailableException;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Scuttlebutt namespaces replicated across the nodes of a cluster through a log per namespace in
 * Redis: a stream of the updates any node accepted, each also announced on the namespace's
 * channel with its stream id, in one script, so the channel's order is the log's.
 *
 * <ul>
 *   <li>Every update a node's sessions get accepted is appended (and announced); the other nodes
 *       subscribed to the namespace apply it and pass it to their sessions. The model's rules make
 *       the result independent of arrival order, so every node converges.</li>
 *   <li>A node whose first session joins a namespace subscribes, then reads the whole log and
 *       applies it, before that session is opened: the session's history then holds everything
 *       any node had accepted, before its {@code "SYNC"}. The node then appends the records it
 *       holds that the log lacks (after Redis came back empty, say), so the others get them.</li>
 *   <li>The log is trimmed to {@code scuttlebutt.max-age-ms} and, once it holds many more entries
 *       than the model has records, compacted: the node appends its model's records and trims
 *       every entry up to the newest it had applied, all of which the model reflects.</li>
 *   <li>A node that lost Redis closed its sessions; a namespace is caught up again when the next
 *       one joins, so nothing missed meanwhile is missing after.</li>
 * </ul>
 */
final class ClusterReplication implements ScuttlebuttStore.Replication {

    private static final Logger LOG = Logger.getLogger(ClusterReplication.class.getName());

    /**
     * KEYS: the stream. ARGV: the channel (in the stream's slot), the publish command, origin node,
     * max age (ms), then one line per update. Returns {last id, length}.
     */
    static final String APPEND = """
            local stream = KEYS[1]
            local channel, publish, origin, maxAge = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
            local time = redis.call('TIME')
            local oldest = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000) - maxAge
            local last = '0-0'
            for i = 5, #ARGV do
              last = redis.call('XADD', stream, 'MINID', '~', string.format('%d', oldest), '*', 'u', ARGV[i])
              redis.call(publish, channel, last .. ' ' .. origin .. ' ' .. ARGV[i])
            end
            redis.call('PEXPIRE', stream, maxAge)
            return {last, tostring(redis.call('XLEN', stream))}
            """;

    /** KEYS: the stream. Returns {id1, line1, id2, line2, ...}. */
    static final String READ = """
            local entries = {}
            for _, entry in ipairs(redis.call('XRANGE', KEYS[1], '-', '+')) do
              table.insert(entries, entry[1])
              table.insert(entries, entry[2][2])
            end
            return entries
            """;

    /** KEYS: the stream. ARGV: the first id to keep of those before, max age (ms), then the snapshot's lines. */
    static final String COMPACT = """
            for i = 3, #ARGV do redis.call('XADD', KEYS[1], '*', 'u', ARGV[i]) end
            redis.call('XTRIM', KEYS[1], 'MINID', ARGV[1])
            redis.call('PEXPIRE', KEYS[1], ARGV[2])
            return {}
            """;

    /** Entries the log may hold per record of the model (and beyond a small model) before compaction. */
    static final int COMPACT_ABOVE_PER_RECORD = 4;
    static final int COMPACT_ABOVE_MIN = 1_000;

    private final ClusterNode cluster;
    private final ScuttlebuttCodec codec;
    private final String maxAgeMillis;

    ClusterReplication(ClusterNode cluster, ScuttlebuttCodec codec, Duration maxAge) {
        this.cluster = cluster;
        this.codec = codec;
        this.maxAgeMillis = Long.toString(maxAge.toMillis());
    }

    /**
     * Subscribes to the namespace's channel for one session; announcements go to the namespace
     * {@code find} returns for the name (none: nobody here is left to tell).
     */
    ClusterNode.Subscription subscribe(String namespace, Function<String, ScuttlebuttNamespace> find)
            throws ClusterUnavailableException {
        return cluster.subscribe(channel(namespace), message -> {
            ScuttlebuttNamespace local = find.apply(namespace);
            if (local != null) {
                announced(local, new String(message, StandardCharsets.UTF_8));
            }
        });
    }

    /** An announcement {@code id origin line}: applied unless this node appended it itself. */
    private void announced(ScuttlebuttNamespace namespace, String announcement) {
        int first = announcement.indexOf(' ');
        int second = announcement.indexOf(' ', first + 1);
        if (first < 0 || second < 0) {
            LOG.warning("ignored an announcement on a scuttlebutt channel that no node made");
            return;
        }
        LogId id = LogId.parse(announcement.substring(0, first));
        if (announcement.substring(first + 1, second).equals(cluster.nodeId())) {
            namespace.appended(id);
            return; // applied when it was accepted here
        }
        namespace.fromCluster(id, decode(announcement.substring(second + 1)));
    }

    /**
     * Reads the whole log into the namespace, then appends what the namespace holds that the log
     * lacks. Call it once the channel is subscribed, before the first session here is opened.
     */
    void catchUp(String name, ScuttlebuttNamespace namespace) throws ClusterUnavailableException {
        List<String> entries = cluster.script(READ, new String[] {stream(name)});
        List<Update> log = new ArrayList<>();
        Map<String, Double> logClock = new HashMap<>();
        LogId last = LogId.ZERO;
        for (int i = 0; i + 1 < entries.size(); i += 2) {
            last = LogId.parse(entries.get(i));
            for (Update update : decode(entries.get(i + 1))) {
                log.add(update);
                logClock.merge(update.source(), update.ts(), Math::max);
            }
        }
        namespace.fromCluster(last, log);
        List<Update> lacking = namespace.lackedBy(logClock);
        if (!lacking.isEmpty()) {
            append(name, namespace, lacking);
        }
    }

    /** Appends updates this node accepted; runs under the namespace's lock, so batches keep their order. */
    @Override
    public void accepted(String name, ScuttlebuttNamespace namespace, List<Update> updates) {
        append(name, namespace, updates);
    }

    private void append(String name, ScuttlebuttNamespace namespace, List<Update> updates) {
        String[] args = new String[4 + updates.size()];
        args[0] = channel(name);
        args[1] = cluster.publishCommand();
        args[2] = cluster.nodeId();
        args[3] = maxAgeMillis;
        for (int i = 0; i < updates.size(); i++) {
            args[4 + i] = line(updates.get(i));
        }
        cluster.scriptAsync(APPEND, new String[] {stream(name)}, args).whenComplete((reply, failure) -> {
            if (failure != null) {
                // Its sessions are closed when Redis is lost; the next catch-up appends what the log lacks.
                LOG.log(Level.FINE, "cannot append to the log of scuttlebutt namespace " + name, failure);
                return;
            }
            long length = Long.parseLong(reply.get(1));
            if (length > COMPACT_ABOVE_MIN + (long) COMPACT_ABOVE_PER_RECORD * namespace.retainedRecords()) {
                compact(name, namespace);
            }
        });
    }

    private void compact(String name, ScuttlebuttNamespace namespace) {
        LogId reflected = namespace.lastSeen();
        List<Update> snapshot = namespace.snapshot();
        String[] args = new String[2 + snapshot.size()];
        args[0] = reflected.next().toString();
        args[1] = maxAgeMillis;
        for (int i = 0; i < snapshot.size(); i++) {
            args[2 + i] = line(snapshot.get(i));
        }
        cluster.scriptAsync(COMPACT, new String[] {stream(name)}, args).whenComplete((reply, failure) -> {
            if (failure != null) {
                LOG.log(Level.FINE, "cannot compact the log of scuttlebutt namespace " + name, failure);
            }
        });
    }

    private String line(Update update) {
        String line = codec.encode(update);
        return line.substring(0, line.length() - 1); // without its '\n'
    }

    /** Lines the nodes wrote with the same codec; one that cannot be read is skipped, not fatal. */
    private List<Update> decode(String lines) {
        List<Update> updates = new ArrayList<>();
        try {
            for (ProtocolValue value : codec.decode(lines)) {
                if (value instanceof Update update) {
                    updates.add(update);
                }
            }
        } catch (MalformedMessageException e) {
            LOG.warning("skipped a scuttlebutt log entry no node of this version wrote: " + e.getMessage());
        }
        return updates;
    }

    /** The namespace's log: in the slot of its channel, on which the script that appends announces. */
    private String stream(String name) {
        return channel(name) + ":log";
    }

    private String channel(String name) {
        return cluster.name("scuttlebutt", ClusterNode.hashTag(name));
    }
}
