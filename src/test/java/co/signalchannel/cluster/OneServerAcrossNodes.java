package co.signalchannel.cluster;

import co.signalchannel.scuttlebutt.TwinClient;
import co.signalchannel.testing.ServerNode;
import co.signalchannel.testing.TestClient;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What three nodes must show whatever Redis they share (a single server, Sentinel's master, a
 * Redis Cluster): echo, relay and scuttlebutt behave as on one server whichever nodes the clients
 * reach, {@code /v1/stats} shows every live node, and a node killed with SIGKILL is forgotten, its
 * relay partners closed and its claims freed. Orders 1 to 4, and 10 for the kill, which leaves node
 * c dead; a subclass starts the nodes and adds its own cases between (5 to 9) and after.
 */
@Tag(ServerNode.TAG)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class OneServerAcrossNodes {

    /** Long enough that a 5 s pause of Redis is not taken for the loss of every node. */
    static final long NODE_TIMEOUT_MS = 9_000;
    static final String OPEN = "{\"open\":true}";

    /** Node {@code index} (0, 1, 2) of the three the subclass started. */
    abstract ServerNode node(int index);

    @Test
    @Order(1)
    void echoGivesEverySessionOnEveryNodeTheNamespacesMessagesInOneOrder() throws Exception {
        ServerNode a = node(0);
        ServerNode b = node(1);
        ServerNode c = node(2);
        int perNode = 2;
        int messages = 40;
        List<TestClient> clients = new ArrayList<>();
        try {
            for (ServerNode node : List.of(a, b, c)) {
                for (int i = 0; i < perNode; i++) {
                    clients.add(TestClient.connect(node.ws("echo", "one-order")));
                }
                node.endpoints().awaitSessions("echo", "one-order", perNode);
            }
            ExecutorService senders = Executors.newFixedThreadPool(clients.size());
            List<Future<?>> sent = new ArrayList<>();
            for (int s = 0; s < clients.size(); s++) {
                int sender = s;
                sent.add(senders.submit(() -> {
                    for (int m = 0; m < messages; m++) {
                        clients.get(sender).send(sender + ":" + m);
                    }
                    return null;
                }));
            }
            for (Future<?> future : sent) {
                future.get(30, TimeUnit.SECONDS);
            }
            senders.shutdown();

            List<List<String>> seen = new ArrayList<>();
            for (TestClient client : clients) {
                List<String> sequence = new ArrayList<>();
                for (int i = 0; i < clients.size() * messages; i++) {
                    sequence.add(client.nextText());
                }
                client.expectNothingFor(Duration.ofMillis(300));
                seen.add(sequence);
            }
            List<String> first = seen.get(0);
            assertThat(new HashSet<>(first)).as("each message once").hasSize(clients.size() * messages);
            for (int s = 0; s < clients.size(); s++) {
                int sender = s;
                List<String> own = first.stream().filter(text -> text.startsWith(sender + ":")).toList();
                assertThat(own).as("sender " + s + "'s messages in the order sent")
                        .containsExactlyElementsOf(java.util.stream.IntStream.range(0, messages)
                                .mapToObj(m -> sender + ":" + m).toList());
            }
            for (List<String> other : seen) {
                assertThat(other).as("every session sees one and the same order").isEqualTo(first);
            }
        } finally {
            clients.forEach(TestClient::close);
        }
    }

    @Test
    @Order(2)
    void relayPairsAcrossNodesKeepsOrderRefusesAClaimHeldElsewhereAndClosesThePartner() throws Exception {
        ServerNode a = node(0);
        ServerNode b = node(1);
        ServerNode c = node(2);
        try (TestClient alice = TestClient.connect(a.ws("relay", "call"));
             TestClient mallory = TestClient.connect(c.ws("relay", "call"))) {
            alice.send(header("alice", "bob")).send("offer").send(new byte[] {1, 2, 3});
            a.endpoints().awaitSessions("relay", "call", 1);
            Thread.sleep(200); // the claim is made when the header is read

            mallory.send(header("alice", "bob"));
            TestClient.Close refused = mallory.awaitClose();
            assertThat(refused.code()).as("a claim held on another node").isEqualTo(1008);

            try (TestClient bob = TestClient.connect(b.ws("relay", "call"))) {
                bob.send(header("bob", "alice")).send("answer");
                assertThat(bob.nextText()).isEqualTo(OPEN);
                assertThat(bob.nextText()).as("sent before pairing, kept").isEqualTo("offer");
                assertThat(bob.nextBinary()).containsExactly(1, 2, 3);
                assertThat(alice.nextText()).isEqualTo(OPEN);
                assertThat(alice.nextText()).isEqualTo("answer");
                for (int i = 0; i < 50; i++) {
                    alice.send("candidate " + i);
                }
                for (int i = 0; i < 50; i++) {
                    assertThat(bob.nextText()).isEqualTo("candidate " + i);
                }

                alice.close();
                TestClient.Close hungUp = bob.awaitClose();
                assertThat(hungUp.code()).isEqualTo(1000);
                assertThat(hungUp.reason()).isEqualTo("relay partner closed");
            }
        }
        // Both closed: the same tokens pair again at once, on other nodes.
        try (TestClient alice = TestClient.connect(c.ws("relay", "call"));
             TestClient bob = TestClient.connect(a.ws("relay", "call"))) {
            alice.send(header("alice", "bob"));
            bob.send(header("bob", "alice"));
            assertThat(alice.nextText()).isEqualTo(OPEN);
            assertThat(bob.nextText()).isEqualTo(OPEN);
        }
    }

    @Test
    @Order(3)
    void scuttlebuttConvergesAcrossNodesAndALateJoinerGetsTheWholeModelBeforeSync() throws Exception {
        ServerNode a = node(0);
        ServerNode b = node(1);
        ServerNode c = node(2);
        try (TwinClient onA = new TwinClient("twin-a").connect(a.ws("scuttlebutt", "board"));
             TwinClient onB = new TwinClient("twin-b").connect(b.ws("scuttlebutt", "board"))) {
            onA.awaitSynced();
            onB.awaitSynced();
            for (int i = 0; i < 20; i++) {
                onA.set("a" + i, Json.createValue(i));
                onB.set("b" + i, Json.createValue(i));
                onA.set("shared", Json.createValue("from a " + i));
                onB.set("shared", Json.createValue("from b " + i));
            }
            onA.set("a0", JsonValue.NULL); // deleted on a, seen deleted everywhere
            onA.await(twin -> twin.get("b19").isPresent());
            onB.await(twin -> twin.get("a19").isPresent() && twin.get("a0").isEmpty());
            onA.settle(Duration.ofMillis(500));
            onB.settle(Duration.ofMillis(500));
            assertThat(onB.twin.toJson()).as("both replicas converge").isEqualTo(onA.twin.toJson());

            try (TwinClient late = new TwinClient("late").connect(c.ws("scuttlebutt", "board"))) {
                late.awaitSynced();
                assertThat(late.twin.toJson()).as("everything before \"SYNC\", joining on a third node")
                        .isEqualTo(onA.twin.toJson());
            }
        }
    }

    @Test
    @Order(4)
    void statsShowThisNodeAndEveryLiveNode() throws Exception {
        ServerNode a = node(0);
        ServerNode b = node(1);
        try (TestClient client = TestClient.connect(b.ws("echo", "counted"))) {
            b.endpoints().awaitSessions("echo", "counted", 1);
            JsonObject stats = awaitStats(a, view -> view.getJsonObject("cluster").getJsonObject("echo").getInt("sessions") == 1);
            assertThat(stats.getString("node")).isEqualTo("a");
            assertThat(stats.getJsonObject("cluster").getJsonArray("nodes").stream()
                    .map(node -> node.asJsonObject().getString("id")).toList()).containsExactlyInAnyOrder("a", "b", "c");
        }
    }

    @Test
    @Order(10)
    void aKilledNodesRelayPartnersAreClosedWith1001AndTheOthersForgetIt() throws Exception {
        ServerNode a = node(0);
        ServerNode b = node(1);
        ServerNode c = node(2);
        try (TestClient here = TestClient.connect(a.ws("relay", "doomed"));
             TestClient there = TestClient.connect(c.ws("relay", "doomed"))) {
            here.send(header("here", "there"));
            there.send(header("there", "here"));
            assertThat(here.nextText()).isEqualTo(OPEN);
            assertThat(there.nextText()).isEqualTo(OPEN);

            c.kill();
            TestClient.Close lost = awaitClose(here, Duration.ofMillis(NODE_TIMEOUT_MS * 2));
            assertThat(lost.code()).isEqualTo(1001);
            assertThat(lost.reason()).contains("node c");
        }
        JsonObject stats = awaitStats(a, view -> view.getJsonObject("cluster").getJsonArray("nodes").size() == 2);
        assertThat(stats.getJsonObject("cluster").getJsonArray("nodes").stream()
                .map(node -> node.asJsonObject().getString("id")).toList()).containsExactlyInAnyOrder("a", "b");
        // The lost node's claims are freed: its tokens pair again on the survivors.
        try (TestClient there = TestClient.connect(b.ws("relay", "doomed"));
             TestClient here = TestClient.connect(a.ws("relay", "doomed"))) {
            there.send(header("there", "here"));
            here.send(header("here", "there"));
            assertThat(there.nextText()).isEqualTo(OPEN);
            assertThat(here.nextText()).isEqualTo(OPEN);
        }
        assertEchoAcross(a, b, "survivors");
    }

    static String header(String local, String remote) {
        return "{\"local\":\"" + local + "\",\"remote\":\"" + remote + "\"}";
    }

    /** A message sent through one node reaches a session on another (retrying while nodes reconnect). */
    static void assertEchoAcross(ServerNode from, ServerNode to, String namespace) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            try (TestClient receiver = TestClient.connect(to.ws("echo", namespace));
                 TestClient sender = TestClient.connect(from.ws("echo", namespace))) {
                Thread.sleep(300);
                if (receiver.isOpen() && sender.isOpen()) {
                    to.endpoints().awaitSessions("echo", namespace, 1);
                    from.endpoints().awaitSessions("echo", namespace, 1);
                    sender.send("across");
                    assertThat(receiver.nextText()).isEqualTo("across");
                    assertThat(sender.nextText()).isEqualTo("across");
                    return;
                }
            }
            assertThat(System.nanoTime()).as("nodes serving again within 30 s").isLessThan(deadline);
            Thread.sleep(500);
        }
    }

    static TestClient.Close awaitClose(TestClient client, Duration atMost) throws Exception {
        long deadline = System.nanoTime() + atMost.toNanos();
        while (client.isOpen() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        return client.awaitClose();
    }

    static JsonObject awaitStats(ServerNode node, java.util.function.Predicate<JsonObject> until) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMillis(NODE_TIMEOUT_MS * 3).toNanos();
        JsonObject stats = node.stats();
        while (!until.test(stats) && System.nanoTime() < deadline) {
            Thread.sleep(200);
            stats = node.stats();
        }
        assertThat(until.test(stats)).as("stats of " + node + ": " + stats).isTrue();
        return stats;
    }
}
