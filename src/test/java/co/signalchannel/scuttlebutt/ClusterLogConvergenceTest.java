package co.signalchannel.scuttlebutt;

import co.signalchannel.connection.Connection;
import co.signalchannel.testing.FakeTransport;
import jakarta.json.Json;
import jakarta.json.JsonValue;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The replication {@link ClusterReplication} runs over Redis, with the log and the channel played
 * in memory: nodes whose sessions write concurrently, announcements lost and reordered on their
 * way to the other nodes, a node that joins late and reads the whole log, and nodes that catch up
 * again (as after Redis was lost). Every node ends with the model one server would hold.
 */
class ClusterLogConvergenceTest {

    static final InstantSource CLOCK = InstantSource.fixed(Instant.ofEpochMilli(Fixtures.NOW));
    static final ScuttlebuttCodec CODEC = new ScuttlebuttCodec(ScuttlebuttCodec.Limits.DEFAULTS);
    static final ExpiryModel.Limits LIMITS = ExpiryModel.Limits.DEFAULTS.withMaxAge(Duration.ofDays(1));

    /** One entry of the log: its id, the node that appended it, the update as a line. */
    record Entry(LogId id, int origin, String line) {
    }

    /** A node's replica of the namespace, appending what its session gets accepted to the shared log. */
    static final class Node {
        final int index;
        final List<Entry> log;
        final ScuttlebuttNamespace namespace;
        final Connection session;

        Node(int index, List<Entry> log) {
            this.index = index;
            this.log = log;
            this.namespace = new ScuttlebuttNamespace("node-" + index, new ExpiryModel(LIMITS, CLOCK), CODEC,
                    CLOCK::millis, Integer.MAX_VALUE, this::append);
            this.session = new Connection("s" + index, new FakeTransport(true),
                    new Connection.Limits(1 << 20, 100_000, 1L << 30), Runnable::run, CLOCK::millis);
            namespace.join(session);
        }

        private void append(List<Update> accepted) {
            for (Update update : accepted) {
                log.add(new Entry(new LogId(log.size() + 1, 0), index, line(update)));
            }
        }

        /** What a client of this node writes. */
        void write(Update update) throws Exception {
            namespace.receive(session, List.of(update));
        }

        /** An announcement from the channel. */
        void announced(Entry entry) throws Exception {
            if (entry.origin() != index) {
                namespace.fromCluster(entry.id(), CODEC.decode(entry.line()).stream().map(Update.class::cast).toList());
            }
        }

        /** {@link ClusterReplication#catchUp}: the whole log read back, then what the log lacks appended. */
        void catchUp() throws Exception {
            List<Update> read = new ArrayList<>();
            Map<String, Double> logClock = new HashMap<>();
            for (Entry entry : List.copyOf(log)) {
                Update update = (Update) CODEC.decode(entry.line()).get(0);
                read.add(update);
                logClock.merge(update.source(), update.ts(), Math::max);
            }
            namespace.fromCluster(log.isEmpty() ? LogId.ZERO : log.get(log.size() - 1).id(), read);
            List<Update> lacking = namespace.lackedBy(logClock);
            if (!lacking.isEmpty()) {
                append(lacking);
            }
        }

        Set<String> state() {
            return namespace.snapshot().stream().map(ClusterLogConvergenceTest::line).collect(Collectors.toSet());
        }
    }

    static String line(Update update) {
        return CODEC.encode(update);
    }

    @Property(tries = 100)
    void nodesConvergeToWhatOneServerHoldsDespiteLostAndReorderedAnnouncements(
            @ForAll long seed, @ForAll @IntRange(min = 1, max = 120) int writes,
            @ForAll @IntRange(min = 0, max = 60) int lossPercent) throws Exception {
        Random random = new Random(seed);
        List<Entry> log = new ArrayList<>();
        List<Node> nodes = List.of(new Node(0, log), new Node(1, log));
        ExpiryModel oneServer = new ExpiryModel(LIMITS, CLOCK);
        Map<String, Double> lastTs = new HashMap<>();

        int delivered = 0;
        for (int w = 0; w < writes; w++) {
            Node writer = nodes.get(random.nextInt(nodes.size()));
            String source = "client-" + writer.index + "-" + random.nextInt(2);
            double ts = lastTs.getOrDefault(source, (double) Fixtures.NOW - 10_000) + 1 + random.nextInt(20);
            lastTs.put(source, ts);
            Update update = new Update("k" + random.nextInt(6), value(random), ts, source);
            writer.write(update);
            oneServer.apply(update);
            // Now and then, what was announced so far reaches the other nodes: some lost, the rest shuffled.
            if (random.nextInt(4) == 0) {
                List<Entry> batch = new ArrayList<>(log.subList(delivered, log.size()));
                delivered = log.size();
                Collections.shuffle(batch, random);
                for (Entry entry : batch) {
                    for (Node node : nodes) {
                        if (random.nextInt(100) >= lossPercent) {
                            node.announced(entry);
                        }
                    }
                }
            }
        }
        Node late = new Node(2, log);
        late.catchUp();
        Set<String> expected = oneServer.history(Map.of()).stream().map(ClusterLogConvergenceTest::line)
                .collect(Collectors.toSet());
        assertThat(late.state()).as("a late node, from the log alone").isEqualTo(expected);
        for (Node node : nodes) {
            node.catchUp(); // as after Redis was lost: its sessions come back, the log is read again
            assertThat(node.state()).as("node " + node.index).isEqualTo(expected);
        }
    }

    @Test
    void aNodeRefillsALogThatCameBackEmpty() throws Exception {
        List<Entry> log = new ArrayList<>();
        Node writer = new Node(0, log);
        writer.write(Fixtures.write("kept", "1", Fixtures.NOW, "client"));
        log.clear(); // Redis restarted without its data

        writer.catchUp();
        Node other = new Node(1, log);
        other.catchUp();

        assertThat(other.state()).isEqualTo(writer.state()).hasSize(1);
    }

    @Test
    void logIdsOrderAsRedisStreamIds() {
        assertThat(LogId.parse("1700000000000-3").isAfter(LogId.parse("1700000000000-2"))).isTrue();
        assertThat(LogId.parse("1700000000001-0").isAfter(LogId.parse("1700000000000-9"))).isTrue();
        assertThat(LogId.parse("5-1").isAfter(LogId.parse("5-1"))).isFalse();
        assertThat(LogId.parse("5-1").next()).hasToString("5-2");
        assertThat(LogId.ZERO).hasToString("0-0");
    }

    private static JsonValue value(Random random) {
        return switch (random.nextInt(4)) {
            case 0 -> JsonValue.NULL;
            case 1 -> Json.createObjectBuilder().add("f" + random.nextInt(3), random.nextInt(10)).build();
            default -> Json.createValue(random.nextInt(100));
        };
    }
}
