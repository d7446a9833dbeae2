package co.signalchannel.browser;

import co.signalchannel.testing.RedisServer;
import co.signalchannel.testing.ServerNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two pages, each loaded from another node of a cluster (two Payara Micro nodes on one Redis), find
 * each other and connect through the client library: peer to peer, and through the relay when
 * WebRTC is off. Each page's library talks only to the node it was loaded from, so every signal
 * and every relayed byte crosses from one node to the other through Redis.
 *
 * <p>The pages find each other on the signalling stream of their {@code Node} (the channel's echo
 * namespace, which may carry anything besides signals): each says which id it listens under when
 * the stream opens and again when it hears a page it did not know, and the lower id dials, so
 * the test depends on echo and relay alone (the presence list, {@code createPeers}, rides on
 * scuttlebutt, whose replication across nodes ClusterIT covers).
 */
@Tag(ServerNode.TAG)
@ExtendWith(Chromium.ConsoleOnFailure.class)
class ClusterPagesIT {

    /**
     * Run in a page: imports the library from the node that served the page, listens under a
     * random id on the channel, finds the other page and opens a stream named "chat" to it, and
     * keeps what happens in {@code window.test}.
     */
    private static final String JOIN = """
            const [namespace, options] = arguments;
            const test = window.test = { peers: [], messages: [], errors: [] };
            import(new URL('js/signal-channel.js', document.baseURI).href).then((sc) => {
              const channel = sc.SignalChannel(namespace, options);
              const talk = (stream) => {
                stream.on('data', (text) => test.messages.push(text));
                stream.write('hello from ' + node.id);
              };
              const node = channel.createNode((connection, opened) => {
                test.connection = connection;
                connection.on('error', (error) => test.errors.push(String(error)));
                if (opened) talk(connection.createStream('chat'));
                else connection.on('stream', talk);
              });
              node.listen(sc.randomId());
              test.id = node.id;
              const announce = () => node.stream.write(JSON.stringify({ here: node.id }));
              node.on('listening', announce);
              node.stream.on('data', (data) => {
                let message;
                try {
                  message = JSON.parse(data);
                } catch {
                  return;
                }
                const peer = message && message.here;
                if (typeof peer !== 'string' || peer === node.id || test.peers.includes(peer)) return;
                test.peers.push(peer);
                announce(); // a page that was here first hears of this one
                if (node.id < peer) node.connect(peer);
              });
            }).catch((error) => test.errors.push(String(error && error.stack || error)));
            """;

    private static RedisServer redis;
    private static ServerNode a;
    private static ServerNode b;
    private static Chromium alice;
    private static Chromium bob;

    @BeforeAll
    static void startClusterAndBrowsers() throws Exception {
        Chromium.assumeInstalled();
        RedisServer.assumeInstalled();
        redis = RedisServer.startOnFreePort();
        List<ServerNode> nodes = ServerNode.startAll(List.of(node("a"), node("b")));
        a = nodes.get(0);
        b = nodes.get(1);
        alice = Chromium.launch("alice, page of node a");
        bob = Chromium.launch("bob, page of node b");
    }

    private static ServerNode.Spec node(String id) {
        return new ServerNode.Spec("pages-" + id, Map.of(
                "cluster.redis", redis.uri().toString(),
                "cluster.node-id", id));
    }

    @AfterEach
    void leavePages() {
        for (Chromium page : new Chromium[] {alice, bob}) {
            if (page != null) {
                page.reset();
            }
        }
    }

    @AfterAll
    static void stopEverything() throws Exception {
        for (Chromium page : new Chromium[] {alice, bob}) {
            if (page != null) {
                page.close();
            }
        }
        for (ServerNode node : new ServerNode[] {a, b}) {
            if (node != null) {
                node.close();
            }
        }
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void twoPagesOnTwoNodesFindEachOtherAndConnectPeerToPeer() throws Exception {
        String namespace = "pages-" + UUID.randomUUID();
        join(alice, a, namespace, Map.of());
        join(bob, b, namespace, Map.of());

        awaitChat(alice, "rtc");
        awaitChat(bob, "rtc");
        assertThat(alice.script("return window.test.connection.rtc.connectionState")).isEqualTo("connected");
        assertThat(bob.script("return window.test.connection.rtc.connectionState")).isEqualTo("connected");
        assertGreetedEachOther();
        assertThat(a.endpoints().sessions("echo", namespace)).as("alice's signalling, on node a").isEqualTo(1);
        assertThat(b.endpoints().sessions("echo", namespace)).as("bob's signalling, on node b").isEqualTo(1);
    }

    @Test
    void withWebRtcOffTwoPagesOnTwoNodesConnectThroughTheRelay() throws Exception {
        String namespace = "pages-relay-" + UUID.randomUUID();
        join(alice, a, namespace, Map.of("relay", true));
        join(bob, b, namespace, Map.of("relay", true));

        awaitChat(alice, "relay");
        awaitChat(bob, "relay");
        assertThat(alice.script("return window.test.connection.rtc")).isNull();
        assertGreetedEachOther();
        assertThat(a.endpoints().sessions("relay", namespace)).as("alice's half of the relay, on node a").isEqualTo(1);
        assertThat(b.endpoints().sessions("relay", namespace)).as("bob's half of the relay, on node b").isEqualTo(1);
    }

    /** Loads the node's front page in the browser and runs {@link #JOIN} in it. */
    private static void join(Chromium page, ServerNode node, String namespace, Map<String, Object> options) {
        page.open(node.http(""));
        page.script(JOIN, namespace, options);
        page.await("listening on the channel", driver -> driver.executeScript(
                "return window.test.errors.length > 0 || !!window.test.id"));
        assertThat(page.script("return window.test.errors")).asList().isEmpty();
    }

    /** Waits until the page's connection is open over {@code transport} and a greeting came through its stream. */
    private static void awaitChat(Chromium page, String transport) {
        page.await("a connection open over " + transport + " carrying the peer's greeting", driver -> driver.executeScript("""
                const test = window.test;
                if (test.errors.length > 0) throw new Error('the page failed: ' + test.errors.join('; '));
                return !!test.connection && test.connection.state === 'open' && test.connection.transport === arguments[0]
                  && test.messages.length > 0;
                """, transport));
    }

    private static void assertGreetedEachOther() {
        Object aliceId = alice.script("return window.test.id");
        Object bobId = bob.script("return window.test.id");
        assertThat(alice.script("return window.test.peers")).asList().containsExactly(bobId);
        assertThat(bob.script("return window.test.peers")).asList().containsExactly(aliceId);
        assertThat(alice.script("return window.test.messages")).asList().containsExactly("hello from " + bobId);
        assertThat(bob.script("return window.test.messages")).asList().containsExactly("hello from " + aliceId);
    }
}
