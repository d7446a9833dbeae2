package co.signalchannel.scuttlebutt;

import static co.signalchannel.scuttlebutt.Fixtures.NOW;
import static co.signalchannel.scuttlebutt.Fixtures.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * The server's stream replicating with twins of the npm scuttlebutt {@code Model}, which speak the
 * protocol exactly as the original does.
 */
class ScuttlebuttTwinTest {

    private final FakeClock clock = new FakeClock(NOW);
    private final Network network = new Network(clock);
    private final Network.Replica server = network.replica("server");

    private ScuttlebuttTwin twin(String id) {
        return new ScuttlebuttTwin(id, clock::millis);
    }

    @Test
    void twinsReplicateWithEachOtherThroughTheServer() {
        ScuttlebuttTwin alice = twin("alice");
        ScuttlebuttTwin bob = twin("bob");
        Network.Link aliceLink = network.connect(alice, server);
        Network.Link bobLink = network.connect(bob, server);
        network.settle();

        aliceLink.fromClient(alice.set("greeting", json("\"hello\"")));
        bobLink.fromClient(bob.set("answer", json("42")));
        network.settle();

        assertThat(alice.toJson()).isEqualTo(json("{\"greeting\":\"hello\",\"answer\":42}"));
        assertThat(bob.toJson()).isEqualTo(alice.toJson());
        assertThat(server.model.toJson()).isEqualTo(alice.toJson());
        assertThat(alice.synced()).isTrue();
        assertThat(bob.synced()).isTrue();
    }

    @Test
    void writesInTheSameMillisecondCarryFractionalTimestampsThatSurviveTheServer() {
        ScuttlebuttTwin alice = twin("alice");
        ScuttlebuttTwin bob = twin("bob");
        Network.Link aliceLink = network.connect(alice, server);
        network.connect(bob, server);
        network.settle();

        aliceLink.fromClient(alice.set("k", json("1")));
        aliceLink.fromClient(alice.set("k", json("2")));
        List<String> third = alice.set("k", json("3"));
        aliceLink.fromClient(third);
        network.settle();

        assertThat(third).containsExactly("[[\"k\",3],1700000000000.002,\"alice\"]\n");
        assertThat(bob.get("k")).contains(json("3"));
        assertThat(server.model.clock()).containsEntry("alice", 1700000000000.002);
    }

    @Test
    void aLateJoiningTwinGetsTheHistoryThenSync() {
        ScuttlebuttTwin early = twin("early");
        Network.Link earlyLink = network.connect(early, server);
        network.settle();
        earlyLink.fromClient(early.set("a", json("1")));
        clock.advance(Duration.ofMillis(1));
        earlyLink.fromClient(early.set("b", json("{\"x\":true}")));
        network.settle();

        ScuttlebuttTwin late = twin("late");
        Network.Link lateLink = network.connect(late, server);
        network.settle();

        assertThat(late.toJson()).isEqualTo(early.toJson());
        assertThat(late.synced()).isTrue();
        assertThat(String.join("", lateLink.receivedByClient).lines()).last().isEqualTo("\"SYNC\"");
    }

    @Test
    void writesMadeBeforeConnectingArePushedOnConnect() {
        ScuttlebuttTwin offline = twin("offline");
        offline.set("k", json("\"offline\""));

        network.connect(offline, server);
        network.settle();

        assertThat(server.model.get("k")).contains(json("\"offline\""));
    }

    @Test
    void deletesPropagate() {
        ScuttlebuttTwin alice = twin("alice");
        ScuttlebuttTwin bob = twin("bob");
        Network.Link aliceLink = network.connect(alice, server);
        network.connect(bob, server);
        aliceLink.fromClient(alice.set("k", json("1")));
        network.settle();
        clock.advance(Duration.ofMillis(1));

        aliceLink.fromClient(alice.set("k", json("null")));
        network.settle();

        assertThat(bob.get("k")).isEmpty();
        assertThat(server.model.get("k")).isEmpty();
        assertThat(server.model.tombstones()).isOne();
    }

    @Test
    void aReconnectingTwinReceivesOnlyWhatItLacks() {
        ScuttlebuttTwin writer = twin("writer");
        ScuttlebuttTwin reader = twin("reader");
        Network.Link writerLink = network.connect(writer, server);
        Network.Link readerLink = network.connect(reader, server);
        writerLink.fromClient(writer.set("seen", json("1")));
        network.settle();
        readerLink.close();
        clock.advance(Duration.ofMillis(1));

        writerLink.fromClient(writer.set("missed", json("2")));
        network.settle();
        Network.Link again = network.connect(reader, server);
        network.settle();

        assertThat(reader.toJson()).isEqualTo(json("{\"seen\":1,\"missed\":2}"));
        assertThat(String.join("", again.receivedByClient).lines()).containsExactly(
                "{\"id\":\"server\",\"clock\":{\"writer\":1700000000001}}",
                "[[\"missed\",2],1700000000001,\"writer\"]",
                "\"SYNC\"");
    }

    @Test
    void expiredRecordsAreNotSentToATwin() {
        ScuttlebuttTwin writer = twin("writer");
        Network.Link writerLink = network.connect(writer, server);
        writerLink.fromClient(writer.set("old", json("1")));
        network.settle();
        writerLink.close();

        clock.advance(Duration.ofDays(1).plusMillis(1));
        ScuttlebuttTwin reader = twin("reader");
        network.connect(reader, server);
        network.settle();

        assertThat(reader.toJson()).isEmpty();
        assertThat(reader.synced()).isTrue();
    }

    @Test
    void twoTwinsReplicateDirectlyLikeTheNpmModel() {
        ScuttlebuttTwin a = twin("a");
        ScuttlebuttTwin b = twin("b");
        a.set("x", json("1"));
        b.set("y", json("2"));

        List<String> fromA = a.onOpen();
        List<String> fromB = b.onOpen();
        while (!fromA.isEmpty() || !fromB.isEmpty()) {
            List<String> toA = fromB.stream().flatMap(line -> a.onMessage(line).stream()).toList();
            fromB = fromA.stream().flatMap(line -> b.onMessage(line).stream()).toList();
            fromA = toA;
        }

        assertThat(a.toJson()).isEqualTo(json("{\"x\":1,\"y\":2}"));
        assertThat(b.toJson()).isEqualTo(json("{\"y\":2,\"x\":1}"));
        assertThat(a.synced()).isTrue();
    }
}
