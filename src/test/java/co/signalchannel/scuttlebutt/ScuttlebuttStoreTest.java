package co.signalchannel.scuttlebutt;

import static co.signalchannel.scuttlebutt.Fixtures.NOW;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import co.signalchannel.connection.Connection;
import co.signalchannel.connection.ProtocolViolation;
import co.signalchannel.testing.FakeTransport;
import co.signalchannel.testing.Racing;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

/** The server-wide bounds on scuttlebutt namespaces: how many, and how many bytes together. */
class ScuttlebuttStoreTest {

    static final ScuttlebuttCodec CODEC = new ScuttlebuttCodec(ScuttlebuttCodec.Limits.DEFAULTS);
    static final ExpiryModel.Limits MODEL = ExpiryModel.Limits.DEFAULTS.withMaxAge(Duration.ofHours(1));
    /** A value of about a kilobyte, as a JSON string. */
    static final String KILOBYTE = "\"" + "x".repeat(1_000) + "\"";
    /** What one update of {@link #KILOBYTE} to key {@code k} from source {@code s} is estimated at. */
    static final long UPDATE_BYTES = ExpiryModel.RECORD_OVERHEAD + 2 + KILOBYTE.length();

    final FakeClock clock = new FakeClock(NOW);

    ScuttlebuttStore store(int maxNamespaces, long maxTotalBytes) {
        return store(maxNamespaces, maxTotalBytes, clock);
    }

    static ScuttlebuttStore store(int maxNamespaces, long maxTotalBytes, InstantSource clock) {
        return new ScuttlebuttStore(new ScuttlebuttStore.Bounds(256, 10_000, maxNamespaces, maxTotalBytes),
                MODEL, CODEC, clock, Integer.MAX_VALUE);
    }

    /** A session of one client on one namespace, synchronised (it sent its digest and "SYNC"). */
    record Session(ScuttlebuttStore store, ScuttlebuttNamespace namespace, FakeTransport transport, Connection connection) {

        static Session open(ScuttlebuttStore store, String name, InstantSource clock) throws ProtocolViolation {
            FakeTransport transport = new FakeTransport(true);
            Connection connection = new Connection(name, transport, new Connection.Limits(1 << 20, 10_000, 1L << 30),
                    Runnable::run, clock::millis);
            Session session = new Session(store, store.join(name, connection), transport, connection);
            session.send("{\"id\":\"client\",\"clock\":{}}\n\"SYNC\"\n");
            return session;
        }

        /** Sends a message as the endpoint would: a violation closes this session. */
        void send(String text) throws ProtocolViolation {
            try {
                store.receive(namespace, connection, CODEC.decode(text));
            } catch (ProtocolViolation violation) {
                connection.abort(violation.closure());
                throw violation;
            } catch (MalformedMessageException e) {
                throw new AssertionError(e);
            }
        }

        void write(String key, String value, long ts) throws ProtocolViolation {
            send(line(key, value, ts, "s"));
        }

        List<String> received() {
            return transport.sentTexts();
        }

        void close() {
            connection.ended();
        }
    }

    static String line(String key, String value, long ts, String source) {
        return "[[\"" + key + "\"," + value + "]," + ts + ",\"" + source + "\"]\n";
    }

    Session open(ScuttlebuttStore store, String name) throws ProtocolViolation {
        return Session.open(store, name, clock);
    }

    static void assertWithinBudgetAndExact(ScuttlebuttStore store) {
        assertThat(store.budget().used()).isLessThanOrEqualTo(store.budget().max())
                .isEqualTo(store.recountRetainedBytes());
    }

    @Test
    void aFloodOfNamespacesFromOneClientForgetsTheLongestIdleOnesAndNeverGoesOverTheBudget() throws Exception {
        ScuttlebuttStore store = store(100_000, 20 * UPDATE_BYTES);
        Session pinned = open(store, "pinned");
        pinned.write("k", KILOBYTE, NOW);
        for (int i = 0; i < 200; i++) {
            clock.advance(Duration.ofSeconds(1));
            Session flood = open(store, "flood-" + i);
            flood.write("k", KILOBYTE, clock.millis());
            flood.close();
            assertWithinBudgetAndExact(store);
        }
        assertThat(store.budget().used()).as("the flood filled the budget").isGreaterThan(18 * UPDATE_BYTES);
        assertThat(store.contains("pinned")).as("a namespace with a session is never forgotten").isTrue();
        assertThat(IntStream.range(0, 200).filter(i -> store.contains("flood-" + i)).boxed().toList())
                .as("the namespaces flooded last, and only those, are held")
                .containsExactlyElementsOf(IntStream.range(181, 200).boxed().toList());
        Session back = open(store, "pinned");
        assertThat(back.received()).anyMatch(message -> message.contains("\"k\""));
    }

    @Test
    void whenEveryNamespaceHoldingBytesHasSessionsTheWriterThatWouldGoOverIsClosedWith1013AndNobodyElseNotices()
            throws Exception {
        ScuttlebuttStore store = store(100, 3 * UPDATE_BYTES + ExpiryModel.RECORD_OVERHEAD + 100);
        Session other = open(store, "other");
        Session otherWatcher = open(store, "other");
        other.write("a", KILOBYTE, NOW);
        other.write("b", KILOBYTE, NOW + 1);
        Session writer = open(store, "crowded");
        Session watcher = open(store, "crowded");
        writer.write("c", KILOBYTE, NOW + 2);
        long used = store.budget().used();
        int seenByOtherWatcher = otherWatcher.received().size();

        assertThatThrownBy(() -> writer.send(line("small", "1", NOW + 3, "s") + line("big", KILOBYTE, NOW + 4, "s")))
                .isInstanceOfSatisfying(ProtocolViolation.class, refused -> {
                    assertThat(refused.closure().code()).isEqualTo(1013);
                    assertThat(refused.closure().reason()).contains(String.valueOf(store.budget().max()), "bytes");
                });

        assertThat(writer.transport().closedWith().code()).isEqualTo(1013);
        assertThat(watcher.received()).as("what was applied before the refusal still reaches the others")
                .last().isEqualTo(line("small", "1", NOW + 3, "s"));
        assertThat(watcher.received()).noneMatch(message -> message.contains("\"big\""));
        assertThat(otherWatcher.received()).hasSize(seenByOtherWatcher);
        assertThat(store.budget().used()).isEqualTo(used + ExpiryModel.RECORD_OVERHEAD + "small".length() + "s".length() + "1".length());
        assertWithinBudgetAndExact(store);
        assertThat(store.sessions("crowded")).isOne();
        watcher.write("c", KILOBYTE.replace('x', 'y'), NOW + 5); // the others carry on, as long as they do not grow
    }

    @Test
    void aSessionMayJoinWhenTheBudgetIsFullButItsFirstUpdateThatGrowsTheModelsIsRefused() throws Exception {
        ScuttlebuttStore store = store(100, 2 * UPDATE_BYTES);
        Session holder = open(store, "holder");
        holder.write("a", KILOBYTE, NOW);
        holder.write("b", KILOBYTE, NOW + 1);

        Session late = open(store, "late");
        assertThat(late.received()).first().asString().startsWith("{\"id\":");
        assertThat(store.sessions("late")).isOne();
        assertThatThrownBy(() -> late.write("k", "1", NOW + 2)).isInstanceOf(ProtocolViolation.class);
        assertThat(store.sessions("late")).isZero();
    }

    @Test
    void aNamespaceForgottenToMakeRoomForAnotherGivesItsBytesBack() throws Exception {
        ScuttlebuttStore store = store(2, 10 * UPDATE_BYTES);
        for (String name : List.of("first", "second")) {
            Session session = open(store, name);
            session.write("k", KILOBYTE, clock.millis());
            session.close();
            clock.advance(Duration.ofSeconds(1));
        }
        open(store, "third");

        assertThat(store.contains("first")).isFalse();
        assertThat(store.budget().used()).isEqualTo(UPDATE_BYTES);
        assertWithinBudgetAndExact(store);
    }

    @Test
    void writersRacingInDifferentNamespacesWhileOthersAreForgottenLeaveTheTotalExact() throws Exception {
        InstantSource now = InstantSource.fixed(Instant.ofEpochMilli(NOW)); // shared by threads, so it stays still
        ScuttlebuttStore store = store(100_000, 60 * UPDATE_BYTES, now);
        AtomicInteger refused = new AtomicInteger();
        AtomicLong overBudget = new AtomicLong();
        Racing.race(4, racer -> {
            Random random = new Random(racer);
            for (int round = 0; round < 300; round++) {
                Session session = Session.open(store, "r" + racer + "-" + random.nextInt(40), now);
                try {
                    for (int update = 0; update < 5; update++) {
                        String value = random.nextInt(5) == 0 ? "null" : "\"" + "v".repeat(random.nextInt(1_500)) + "\"";
                        session.write("k" + random.nextInt(4), value, NOW - random.nextInt(1_000_000));
                    }
                } catch (ProtocolViolation full) {
                    refused.incrementAndGet();
                }
                if (random.nextInt(3) > 0) {
                    session.close();
                }
                if (store.budget().used() > store.budget().max()) {
                    overBudget.set(store.budget().used());
                }
            }
        });
        assertThat(overBudget).as("the total never went over the budget").hasValue(0);
        assertThat(refused).as("the race pushed against the budget").hasPositiveValue();
        assertWithinBudgetAndExact(store);
    }
}
