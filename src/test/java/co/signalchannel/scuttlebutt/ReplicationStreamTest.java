package co.signalchannel.scuttlebutt;

import static co.signalchannel.scuttlebutt.Fixtures.NOW;
import static co.signalchannel.scuttlebutt.Fixtures.json;
import static co.signalchannel.scuttlebutt.Fixtures.write;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class ReplicationStreamTest {

    private final FakeClock clock = new FakeClock(NOW);
    private final ScuttlebuttCodec codec = new ScuttlebuttCodec(ScuttlebuttCodec.Limits.DEFAULTS);
    private final ExpiryModel model = new ExpiryModel(ExpiryModel.Limits.DEFAULTS, clock);
    private final List<String> sent = new ArrayList<>();
    private final ReplicationStream stream = new ReplicationStream("server", model, codec, sent::add);

    private static Digest digest(Map<String, Double> clock) {
        return new Digest("peer", clock);
    }

    @Test
    void openingSendsOurDigestWithTheModelsClock() {
        model.apply(write("k", "1", 100, "A"));

        stream.open();

        assertThat(sent).containsExactly("{\"id\":\"server\",\"clock\":{\"A\":1700000000100}}\n");
    }

    @Test
    void thePeersDigestIsAnsweredWithTheHistoryItLacksOldestFirstThenSync() {
        Update a1 = write("a", "1", 100, "A");
        Update b2 = write("b", "2", 200, "B");
        Update a3 = write("c", "3", 300, "A");
        List.of(a3, b2, a1).forEach(model::apply);

        stream.receive(List.of(digest(Map.of("A", NOW + 100d))));

        assertThat(sent).containsExactly(codec.encode(b2) + codec.encode(a3) + ScuttlebuttCodec.SYNC_LINE);
        assertThat(stream.historySent()).isTrue();
        assertThat(stream.peerId()).contains("peer");
    }

    @Test
    void aPeerThatHasEverythingGetsJustSync() {
        model.apply(write("k", "1", 100, "A"));

        stream.receive(List.of(digest(Map.of("A", NOW + 100d))));

        assertThat(sent).containsExactly(ScuttlebuttCodec.SYNC_LINE);
    }

    @Test
    void aLargeHistoryIsSplitIntoMessagesOfBoundedSize() {
        String value = "\"" + "x".repeat(1000) + "\"";
        for (int i = 0; i < 200; i++) {
            model.apply(write("k" + i, value, i, "A"));
        }

        stream.receive(List.of(digest(Map.of())));

        assertThat(sent).hasSizeGreaterThan(1)
                .allSatisfy(message -> assertThat(message).hasSizeLessThanOrEqualTo(ReplicationStream.HISTORY_MESSAGE_CHARS)
                        .endsWith("\n"));
        assertThat(String.join("", sent).lines()).hasSize(201).last().isEqualTo("\"SYNC\"");
    }

    @Test
    void afterSyncAcceptedUpdatesFromElsewhereAreForwarded() {
        stream.receive(List.of(digest(Map.of())));
        sent.clear();
        Update update = write("k", "1", 100, "A");
        model.apply(update);

        stream.forward(update);

        assertThat(sent).containsExactly(codec.encode(update));
    }

    @Test
    void anUpdateThePeerHasByItsClockIsNotForwarded() {
        stream.receive(List.of(digest(Map.of("A", NOW + 500d))));
        sent.clear();

        stream.forward(write("k", "1", 500, "A"));
        stream.forward(write("k", "1", 400, "A"));

        assertThat(sent).isEmpty();
    }

    @Test
    void forwardingAdvancesThePeersClockSoAnOlderUpdateOfTheSameSourceIsNotSent() {
        stream.receive(List.of(digest(Map.of())));
        sent.clear();

        stream.forward(write("a", "1", 200, "A"));
        stream.forward(write("b", "1", 100, "A"));

        assertThat(sent).hasSize(1);
    }

    @Test
    void nothingIsForwardedBeforeThePeersDigestButTheHistoryCarriesIt() {
        Update update = write("k", "1", 100, "A");
        model.apply(update);

        stream.forward(update);
        assertThat(sent).isEmpty();

        stream.receive(List.of(digest(Map.of())));
        assertThat(sent).containsExactly(codec.encode(update) + ScuttlebuttCodec.SYNC_LINE);
    }

    @Test
    void updatesFromThePeerAreAppliedAndReturnedForTheOtherSessionsEvenBeforeItsDigest() {
        Update first = write("k", "1", 100, "P");
        Update refused = write("k", "0", 50, "P");

        List<Update> accepted = stream.receive(List.of(first, refused));

        assertThat(accepted).containsExactly(first);
        assertThat(model.get("k")).contains(json("1"));
    }

    @Test
    void updatesReceivedFromThePeerAreNotSentBackToIt() {
        stream.receive(List.of(digest(Map.of()), SyncMarker.SYNC));
        sent.clear();
        Update fromPeer = write("k", "1", 100, "P");

        assertThat(stream.receive(List.of(fromPeer))).containsExactly(fromPeer);
        stream.forward(fromPeer);

        assertThat(sent).isEmpty();
    }

    @Test
    void updatesBetweenThePeersDigestAndItsSyncAreHeldThenAppliedInWriteOrder() {
        Update live = write("live", "2", 200, "P");
        Update history = write("history", "1", 100, "P");

        assertThat(stream.receive(List.of(digest(Map.of()), live, history))).isEmpty();
        assertThat(model.isEmpty()).isTrue();

        assertThat(stream.receive(List.of(SyncMarker.SYNC))).containsExactly(history, live);
        assertThat(model.toJson()).isEqualTo(json("{\"history\":1,\"live\":2}"));
    }

    @Test
    void heldUpdatesBeyondTheModelsByteBudgetAreAppliedEarlyInWriteOrder() {
        ExpiryModel small = new ExpiryModel(ExpiryModel.Limits.DEFAULTS.withMaxRetainedBytes(3 * ExpiryModel.RECORD_OVERHEAD), clock);
        ReplicationStream bounded = new ReplicationStream("server", small, codec, sent::add);
        bounded.receive(List.of(digest(Map.of())));

        List<Update> accepted = bounded.receive(List.of(write("b", "1", 200, "P"), write("a", "1", 100, "P"), write("c", "1", 300, "P")));

        assertThat(accepted).extracting(Update::key).containsExactly("a", "b", "c");
    }

    /** An npm client's write made right after connecting overtook its older writes pushed as history; they never reached other clients. */
    @Test
    void aWriteMadeRightAfterConnectingDoesNotHideTheOlderWritesTheClientPushesAsHistory() {
        Network network = new Network(clock);
        Network.Replica server = network.replica("server");
        ScuttlebuttTwin watcher = new ScuttlebuttTwin("watcher", clock::millis);
        network.connect(watcher, server);
        network.settle();
        ScuttlebuttTwin client = new ScuttlebuttTwin("client", clock::millis);
        client.set("offline", json("1"));
        clock.advance(Duration.ofMillis(1));

        Network.Link link = network.connect(client, server);
        link.fromClient(client.set("online", json("2")));
        network.settle();

        assertThat(watcher.toJson()).isEqualTo(json("{\"offline\":1,\"online\":2}"));
    }

    @Test
    void theSyncMarkerFromThePeerIsNoted() {
        assertThat(stream.syncReceived()).isFalse();

        stream.receive(List.of(digest(Map.of()), SyncMarker.SYNC));

        assertThat(stream.syncReceived()).isTrue();
    }

    @Test
    void aSecondDigestResynchronisesFromTheClockItStates() {
        Update update = write("k", "1", 100, "A");
        model.apply(update);
        stream.receive(List.of(digest(Map.of())));

        stream.receive(List.of(digest(Map.of())));

        assertThat(sent).containsExactly(
                codec.encode(update) + ScuttlebuttCodec.SYNC_LINE,
                codec.encode(update) + ScuttlebuttCodec.SYNC_LINE);
    }

    @Test
    void twoReplicasJoinedByStreamsReplicateBothWays() {
        Network network = new Network(clock);
        Network.Replica left = network.replica("left");
        Network.Replica right = network.replica("right");
        left.write("l", "1", NOW - 10);
        network.connect(left, right);
        right.write("r", "{\"a\":1}", NOW - 5);

        network.settle();
        left.write("r", "{\"b\":2}", NOW);
        network.settle();

        assertThat(left.model.toJson()).isEqualTo(json("{\"l\":1,\"r\":{\"a\":1,\"b\":2}}"));
        assertThat(right.model.toJson()).isEqualTo(left.model.toJson());
    }

    @Test
    void updatesFromOneSessionReachEveryOtherSessionThroughTheServer() {
        Network network = new Network(clock);
        Network.Replica server = network.replica("server");
        Network.Replica alice = network.replica("alice");
        Network.Replica bob = network.replica("bob");
        network.connect(alice, server);
        network.connect(bob, server);
        network.settle();

        alice.write("presence/alice", "{\"name\":\"Alice\"}", NOW);
        bob.write("presence/bob", "{\"name\":\"Bob\"}", NOW);
        alice.write("presence/alice", "null", NOW + 1);
        network.settle();

        assertThat(bob.model.toJson()).isEqualTo(json("{\"presence/bob\":{\"name\":\"Bob\"}}"));
        assertThat(alice.model.toJson()).isEqualTo(bob.model.toJson());
        assertThat(server.model.toJson()).isEqualTo(bob.model.toJson());
    }

    @Test
    void aLateJoinerReceivesTheHistoryThenSync() {
        Network network = new Network(clock);
        Network.Replica server = network.replica("server");
        Network.Replica early = network.replica("early");
        network.connect(early, server);
        early.write("a", "1", NOW - 2);
        early.write("b", "2", NOW - 1);
        network.settle();

        Network.Replica late = network.replica("late");
        Network.Link link = network.connect(late, server);
        network.settle();

        assertThat(late.model.toJson()).isEqualTo(json("{\"a\":1,\"b\":2}"));
        assertThat(String.join("", link.receivedByClient).lines()).containsExactly(
                "{\"id\":\"server\",\"clock\":{\"early\":1699999999999}}",
                "[[\"a\",1],1699999999998,\"early\"]",
                "[[\"b\",2],1699999999999,\"early\"]",
                "\"SYNC\"");
    }

    @Test
    void aClientReconnectingWithANonEmptyClockReceivesOnlyWhatItLacks() {
        Network network = new Network(clock);
        Network.Replica server = network.replica("server");
        Network.Replica writer = network.replica("writer");
        Network.Replica reader = network.replica("reader");
        network.connect(writer, server);
        Network.Link first = network.connect(reader, server);
        writer.write("seen", "1", NOW - 2);
        network.settle();
        first.close();

        writer.write("missed", "2", NOW - 1);
        network.settle();
        Network.Link second = network.connect(reader, server);
        network.settle();

        assertThat(reader.model.toJson()).isEqualTo(json("{\"missed\":2,\"seen\":1}"));
        assertThat(String.join("", second.receivedByClient).lines()).containsExactly(
                "{\"id\":\"server\",\"clock\":{\"writer\":1699999999999}}",
                "[[\"missed\",2],1699999999999,\"writer\"]",
                "\"SYNC\"");
    }

    @Test
    void aClientThatWroteWhileDisconnectedPushesItsWritesOnConnect() {
        Network network = new Network(clock);
        Network.Replica server = network.replica("server");
        Network.Replica offline = network.replica("offline");
        offline.write("k", "\"written offline\"", NOW);

        Network.Link link = network.connect(offline, server);
        network.settle();

        assertThat(server.model.get("k")).contains(json("\"written offline\""));
        assertThat(link.receivedByServer.get(link.receivedByServer.size() - 1))
                .isEqualTo("[[\"k\",\"written offline\"],1700000000000,\"offline\"]\n\"SYNC\"\n");
    }

    @Test
    void thePeersClockStaysBoundedWhenSourcesComeAndGo() {
        ExpiryModel small = new ExpiryModel(ExpiryModel.Limits.DEFAULTS.withMaxKeys(10), clock);
        ReplicationStream bounded = new ReplicationStream("server", small, codec, sent::add);
        bounded.receive(List.of(digest(Map.of())));

        for (int i = 0; i < 10_000; i++) {
            Update update = write("k" + i % 20, "1", i, "source" + i);
            if (small.apply(update)) {
                bounded.forward(update);
            }
        }

        assertThat(bounded.peerClockSize()).isLessThanOrEqualTo(1025);
    }
}
