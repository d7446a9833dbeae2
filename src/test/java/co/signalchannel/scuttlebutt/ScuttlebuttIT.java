package co.signalchannel.scuttlebutt;

import co.signalchannel.config.Setting;
import co.signalchannel.testing.Deployments;
import co.signalchannel.testing.Endpoints;
import co.signalchannel.testing.TestClient;
import jakarta.json.Json;
import jakarta.json.JsonValue;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** The scuttlebutt endpoint in a real container, replicating with real WebSocket clients. */
@ExtendWith(ArquillianExtension.class)
class ScuttlebuttIT {

    static final int MAX_VALUE_BYTES = 1_024;

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.signalChannel("scuttlebutt", Map.of(
                Setting.SCUTTLEBUTT_VALUE_MAX_BYTES, (long) MAX_VALUE_BYTES));
    }

    final Endpoints endpoints = Endpoints.deployed("scuttlebutt");

    TwinClient twin(String id, String namespace) throws Exception {
        return new TwinClient(id).connect(endpoints.ws("scuttlebutt", namespace));
    }

    static JsonValue json(String text) {
        return Json.createReader(new java.io.StringReader(text)).readValue();
    }

    /** Reads messages until a {@code "SYNC"} line, returning every line before it. */
    static List<String> linesUntilSync(TestClient client) throws Exception {
        List<String> lines = new ArrayList<>();
        while (true) {
            String message = client.nextText();
            assertThat(message).as("every value ends with a newline").endsWith("\n");
            for (String line : message.split("\n")) {
                if (line.equals("\"SYNC\"")) {
                    return lines;
                }
                lines.add(line);
            }
        }
    }

    /**
     * What a replica with nothing to push sends when the exchange starts: its digest, then
     * {@code "SYNC"} (its history being empty). The server applies a replica's updates once its
     * {@code "SYNC"} has come, in time order.
     */
    static String hello(String id, String clock) {
        return "{\"id\":\"" + id + "\",\"clock\":" + clock + "}\n\"SYNC\"\n";
    }

    /**
     * Waits until the server has applied everything {@code client} sent before: a second digest
     * makes the server re-synchronise, and its {@code "SYNC"} comes after all earlier messages
     * were handled. The digest claims to have all of {@code sources}, so nothing else comes back.
     */
    static void barrier(TestClient client, String... sources) throws Exception {
        StringBuilder clock = new StringBuilder();
        for (String source : sources) {
            clock.append(clock.isEmpty() ? "" : ",").append('"').append(source).append("\":9007199254740991");
        }
        client.send(hello("barrier", "{" + clock + "}"));
        assertThat(linesUntilSync(client)).isEmpty();
    }

    static String update(String key, String valueJson, long ts, String source) {
        return "[[\"" + key + "\"," + valueJson + "]," + ts + ",\"" + source + "\"]\n";
    }

    @Test
    void twoNpmStyleReplicasReplicateThroughTheServer() throws Exception {
        try (TwinClient a = twin("a", "pair"); TwinClient b = twin("b", "pair")) {
            a.awaitSynced();
            b.awaitSynced();
            a.set("color", json("\"red\""));
            b.await(t -> t.get("color").equals(Optional.of(json("\"red\""))));
            b.set("size", json("3"));
            a.await(t -> t.get("size").equals(Optional.of(json("3"))));
            b.set("color", json("\"blue\""));
            a.await(t -> t.get("color").equals(Optional.of(json("\"blue\""))));
            assertThat(a.twin.toJson()).isEqualTo(b.twin.toJson());
        }
    }

    @Test
    void aLateJoinerReceivesTheHistoryThenSync() throws Exception {
        long now = System.currentTimeMillis();
        try (TestClient writer = TestClient.connect(endpoints.ws("scuttlebutt", "history"))) {
            assertThat(writer.nextText()).contains("\"clock\"");
            writer.send(hello("w", "{}"));
            assertThat(linesUntilSync(writer)).isEmpty();
            writer.send(update("k1", "1", now, "w") + update("k2", "{\"x\":1}", now + 1, "w"));
            barrier(writer, "w");
            try (TestClient late = TestClient.connect(endpoints.ws("scuttlebutt", "history"))) {
                String digest = late.nextText();
                assertThat(json(digest).asJsonObject().getJsonObject("clock").getJsonNumber("w").longValue())
                        .isEqualTo(now + 1);
                late.send(hello("late", "{}"));
                assertThat(linesUntilSync(late)).containsExactly(
                        update("k1", "1", now, "w").strip(), update("k2", "{\"x\":1}", now + 1, "w").strip());
            }
        }
    }

    @Test
    void updatesMadeBeforeConnectingArePushedOnConnect() throws Exception {
        TwinClient offline = new TwinClient("offline");
        offline.set("draft", json("\"written offline\""));
        offline.set("other", json("[1,2]"));
        try (TwinClient writer = offline.connect(endpoints.ws("scuttlebutt", "offline"));
             TwinClient reader = twin("reader", "offline")) {
            writer.awaitSynced();
            reader.await(t -> t.get("draft").isPresent() && t.get("other").isPresent());
            assertThat(reader.get("draft")).contains(json("\"written offline\""));
        }
    }

    @Test
    void deletesPropagateAndAnOlderWriteCannotResurrectTheKey() throws Exception {
        long now = System.currentTimeMillis();
        try (TwinClient watcher = twin("watcher", "deletes");
             TestClient writer = TestClient.connect(endpoints.ws("scuttlebutt", "deletes"))) {
            writer.nextText();
            writer.send(hello("w", "{}"));
            linesUntilSync(writer);
            writer.send(update("k", "\"v\"", now, "w"));
            watcher.await(t -> t.get("k").isPresent());
            writer.send(update("k", "null", now + 10, "w"));
            watcher.await(t -> t.get("k").isEmpty());
            writer.send(update("k", "\"zombie\"", now + 5, "other"));
            watcher.settle(Duration.ofMillis(300));
            assertThat(watcher.get("k")).isEmpty();
        }
        try (TestClient late = TestClient.connect(endpoints.ws("scuttlebutt", "deletes"))) {
            late.nextText();
            late.send(hello("late", "{}"));
            assertThat(linesUntilSync(late)).containsExactly(update("k", "null", now + 10, "w").strip());
        }
    }

    @Test
    void aReconnectWithANonEmptyDigestReceivesOnlyWhatItLacks() throws Exception {
        long now = System.currentTimeMillis();
        try (TestClient writer = TestClient.connect(endpoints.ws("scuttlebutt", "resume"))) {
            writer.nextText();
            writer.send(hello("w", "{}"));
            linesUntilSync(writer);
            writer.send(update("a", "1", now, "w") + update("b", "2", now + 1, "w") + update("c", "3", now + 2, "w"));
            barrier(writer, "w");
            try (TestClient back = TestClient.connect(endpoints.ws("scuttlebutt", "resume"))) {
                back.nextText();
                back.send(hello("back", "{\"w\":" + (now + 1) + "}"));
                assertThat(linesUntilSync(back)).containsExactly(update("c", "3", now + 2, "w").strip());
            }
        }
    }

    @Test
    void namespacesAreSeparate() throws Exception {
        try (TwinClient left = twin("l", "left"); TwinClient right = twin("r", "right")) {
            left.awaitSynced();
            right.awaitSynced();
            left.set("only", json("\"left\""));
            right.settle(Duration.ofMillis(300));
            assertThat(right.get("only")).isEmpty();
        }
    }

    @Test
    void anUpdateTheModelRejectsIsNotPassedOn() throws Exception {
        long now = System.currentTimeMillis();
        try (TestClient writer = TestClient.connect(endpoints.ws("scuttlebutt", "stale"));
             TestClient watcher = TestClient.connect(endpoints.ws("scuttlebutt", "stale"))) {
            for (TestClient client : List.of(writer, watcher)) {
                client.nextText();
                client.send(hello("c" + client.hashCode(), "{}"));
                linesUntilSync(client);
            }
            writer.send(update("k", "\"new\"", now, "w"));
            assertThat(watcher.nextText()).isEqualTo(update("k", "\"new\"", now, "w"));
            writer.send(update("k", "\"old\"", now - 1_000, "w2"));
            watcher.expectNothingFor(Duration.ofMillis(300));
        }
    }

    @Test
    void eachKindOfMalformedInputCloses1007AndChangesNothing() throws Exception {
        long now = System.currentTimeMillis();
        String[][] cases = {
                {"not json", "not JSON"},
                {"[1,2,3]\n", "update"},
                {"[[1,\"v\"]," + now + ",\"s\"]\n", "key"},
                {"[[\"k\",\"v\"],\"soon\",\"s\"]\n", "timestamp"},
                {"[[\"k\",\"v\"]," + now + ",7]\n", "source"},
                {"{\"id\":\"x\"}\n", "clock"},
                {"42\n", ""},
                {"[[\"k\",\"v\"]," + now + ",\"\"]\n", "source is empty"},
                {"{\"id\":\"\",\"clock\":{}}\n", "id\" is empty"},
                // Was 1011: the container's JSON-P gave up on the nesting, or on the exponent.
                {"[[\"k\"," + "[".repeat(1_100) + "]".repeat(1_100) + "]," + now + ",\"s\"]\n", "more than 64 deep"},
                {"[[\"k\",\"v\"],1e9999999999,\"s\"]\n", "timestamp"},
        };
        try (TwinClient bystander = twin("bystander", "malformed")) {
            bystander.awaitSynced();
            bystander.set("kept", json("\"yes\""));
            for (String[] bad : cases) {
                try (TestClient client = TestClient.connect(endpoints.ws("scuttlebutt", "malformed"))) {
                    client.nextText();
                    // a valid update first, in the same message: nothing of a bad message is applied
                    client.send(update("poison", "1", now, "evil") + bad[0]);
                    TestClient.Close reason = client.awaitClose();
                    assertThat(reason.code()).as(bad[0]).isEqualTo(1007);
                    assertThat(reason.reason()).as(bad[0]).startsWith("line 2").contains(bad[1]);
                }
            }
            bystander.settle(Duration.ofMillis(200));
            assertThat(bystander.get("poison")).isEmpty();
            assertThat(bystander.get("kept")).contains(json("\"yes\""));
        }
    }

    @Test
    void numbersReachOtherSessionsAndLateJoinersExactlyAsWritten() throws Exception {
        // Was: -0 came back 0, 1e400 as 1E+400, and the timestamp as 1700000000000.
        String ts = java.math.BigDecimal.valueOf(System.currentTimeMillis()).movePointLeft(12).toPlainString() + "e12";
        String line = "[[\"n\",{\"a\":[-0,1e400,9007199254740993,1.50E-3]}]," + ts + ",\"w\"]\n";
        try (TestClient writer = TestClient.connect(endpoints.ws("scuttlebutt", "numbers"));
             TestClient watcher = TestClient.connect(endpoints.ws("scuttlebutt", "numbers"))) {
            for (TestClient client : List.of(writer, watcher)) {
                client.nextText();
                client.send(hello("c" + client.hashCode(), "{}"));
                linesUntilSync(client);
            }
            writer.send(line);
            assertThat(watcher.nextText()).isEqualTo(line);
        }
        try (TestClient late = TestClient.connect(endpoints.ws("scuttlebutt", "numbers"))) {
            late.nextText();
            late.send(hello("late", "{}"));
            assertThat(linesUntilSync(late)).containsExactly(line.strip());
        }
    }

    @Test
    void anOversizedValueCloses1009AndBinaryCloses1003() throws Exception {
        long now = System.currentTimeMillis();
        try (TestClient client = TestClient.connect(endpoints.ws("scuttlebutt", "limits"))) {
            client.nextText();
            char[] big = new char[MAX_VALUE_BYTES + 1];
            Arrays.fill(big, 'x');
            client.send(update("k", "\"" + new String(big) + "\"", now, "s"));
            TestClient.Close reason = client.awaitClose();
            assertThat(reason.code()).isEqualTo(1009);
            assertThat(reason.reason()).contains(String.valueOf(MAX_VALUE_BYTES));
        }
        try (TestClient client = TestClient.connect(endpoints.ws("scuttlebutt", "limits"))) {
            client.send(new byte[]{'{', '}'});
            assertThat(client.awaitClose().code()).isEqualTo(1003);
        }
    }

    @Test
    void aNamespaceWithNoSessionsKeepsItsLiveRecordsForTheNextJoiner() throws Exception {
        try (TwinClient a = twin("a", "persist")) {
            a.awaitSynced();
            a.set("left", json("\"behind\""));
            a.settle(Duration.ofMillis(200));
        }
        endpoints.awaitSessions("scuttlebutt", "persist", 0);
        assertThat(endpoints.stats().getJsonObject("scuttlebutt").getInt("namespaces")).isPositive();
        try (TwinClient b = twin("b", "persist")) {
            b.await(t -> t.get("left").isPresent());
        }
    }
}
