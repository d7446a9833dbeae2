package co.signalchannel.connection;

import co.signalchannel.testing.PageOrigin;
import co.signalchannel.config.Setting;
import co.signalchannel.testing.Deployments;
import co.signalchannel.testing.Endpoints;
import co.signalchannel.testing.RawWebSocket;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Connection churn on the real container: thousands of short sessions that connect, exchange and
 * close from both ends at once, and sessions the server closes while they close themselves.
 *
 * <p>Guards issue 10's close race: a relay session that closed its partner from its own thread
 * while the partner was closing itself had Tyrus tear the partner's connection down on a foreign
 * thread; Payara recycled the partner's request and response while its own thread still used them,
 * so later handshakes were answered with 301, 404, 200 or 500, calls went silent, and the log
 * filled with NullPointerExceptions from Grizzly and Catalina.
 */
@ExtendWith(ArquillianExtension.class)
class ChurnIT {

    static final int PAIRS = Integer.getInteger("churn.pairs", 2_000);
    static final int IN_FLIGHT = 100;
    static final Duration STEP = Duration.ofSeconds(20);
    static final String OPEN = "{\"open\":true}";
    /** The pairing deadline and the heartbeat timeout: a busy CI machine takes a while to warm up. */
    static final long DEADLINE_MS = 10_000;

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.watchingServerLog(Deployments.signalChannel("churn", Map.of(
                Setting.RELAY_PAIRING_TIMEOUT_MS, DEADLINE_MS,
                Setting.HEARTBEAT_INTERVAL_MS, DEADLINE_MS / 10,
                Setting.HEARTBEAT_TIMEOUT_MS, DEADLINE_MS,
                Setting.OUTBOX_MAX_MESSAGES, 64L,
                // Hundreds of clients from one address at once, and publishers that outrun stalled
                // readers, are the point here, not floods.
                Setting.ADDRESS_SESSIONS_PER_SECOND, 100_000L,
                Setting.ADDRESS_SESSIONS_BURST, 100_000L,
                Setting.RATE_MESSAGES_PER_SECOND, 1_000_000L,
                Setting.RATE_MESSAGES_BURST, 1_000_000L,
                Setting.RATE_BYTES_PER_SECOND, 1_000_000_000L,
                Setting.RATE_BYTES_BURST, 1_000_000_000L)));
    }

    Endpoints endpoints;
    final HttpClient http = HttpClient.newHttpClient();
    final Queue<String> failures = new ConcurrentLinkedQueue<>();

    @BeforeEach
    void setUp() throws Exception {
        endpoints = Endpoints.deployed("churn");
        http.send(HttpRequest.newBuilder(endpoints.http("test/server-log")).DELETE().build(),
                HttpResponse.BodyHandlers.discarding());
    }

    @Test
    void relayCallsSetUpAndClosedFromBothEndsAtOnceAllCompleteAndLeaveTheLogClean() throws Exception {
        AtomicInteger completed = new AtomicInteger();
        runConcurrently(PAIRS, call -> {
            String ns = "call-" + (call % 50);
            String a = "a" + call;
            String b = "b" + call;
            Peer caller = connect(endpoints.ws("relay", ns), "caller " + call);
            Peer callee = connect(endpoints.ws("relay", ns), "callee " + call);
            try {
                caller.send("{\"local\":\"" + a + "\",\"remote\":\"" + b + "\"}");
                callee.send("{\"local\":\"" + b + "\",\"remote\":\"" + a + "\"}");
                caller.expect(OPEN);
                callee.expect(OPEN);
                caller.send("offer " + call);
                callee.expect("offer " + call);
                callee.send("answer " + call);
                for (int i = 0; i < 4; i++) {
                    callee.send("callee candidate " + i);
                    caller.send("caller candidate " + i);
                }
                caller.expect("answer " + call);
                for (int i = 0; i < 4; i++) {
                    caller.expect("callee candidate " + i);
                    callee.expect("caller candidate " + i);
                }
                completed.incrementAndGet();
            } finally {
                // both ends hang up in the same instant
                CompletableFuture.allOf(caller.hangUp(), callee.hangUp()).join();
            }
        });
        assertThat(failures).as("failed handshakes and exchanges").isEmpty();
        assertThat(completed).hasValue(PAIRS);
        assertQuietServer("relay");
    }

    @Test
    void echoSessionsThatExchangeAndCloseAtOnceAllCompleteAndLeaveTheLogClean() throws Exception {
        int groups = PAIRS / 4;
        runConcurrently(groups, group -> {
            String ns = "group-" + group;
            Peer[] members = new Peer[3];
            try {
                for (int i = 0; i < members.length; i++) {
                    members[i] = connect(endpoints.ws("echo", ns), "member " + i + " of " + group);
                }
                endpoints.awaitSessions("echo", ns, members.length);
                for (int i = 0; i < members.length; i++) {
                    members[i].send("hello from " + i);
                }
                for (Peer member : members) {
                    for (int i = 0; i < members.length; i++) {
                        member.expectAny();
                    }
                }
            } finally {
                CompletableFuture.allOf(java.util.Arrays.stream(members)
                        .map(member -> member == null ? CompletableFuture.completedFuture(null) : member.hangUp())
                        .toArray(CompletableFuture[]::new)).join();
            }
        });
        assertThat(failures).as("failed handshakes and exchanges").isEmpty();
        assertQuietServer("echo");
    }

    /** The server's own closes (pairing deadline) racing the clients' own closes of the same sessions. */
    @Test
    void sessionsTheServerClosesWhileTheyCloseThemselvesLeaveTheLogClean() throws Exception {
        runConcurrently(PAIRS / 10, lonely -> {
            Peer waiting = connect(endpoints.ws("relay", "lonely"), "lonely " + lonely);
            waiting.send("{\"local\":\"x" + lonely + "\",\"remote\":\"nobody\"}");
            // the pairing deadline closes it; it hangs up itself within a few ms of that
            Thread.sleep(DEADLINE_MS - 10 + lonely % 20);
            waiting.hangUp().join();
        });
        assertThat(failures).as("failed handshakes").isEmpty();
        assertQuietServer("relay");
    }

    /** The heartbeat's closes racing the closes of clients that stopped answering pings. */
    @Test
    void deadSessionsThatCloseThemselvesAsTheHeartbeatClosesThemLeaveTheLogClean() throws Exception {
        runConcurrently(PAIRS / 10, dead -> {
            try (RawWebSocket silent = RawWebSocket.connect(endpoints.ws("echo", "dead-" + dead % 10))) {
                Thread.sleep(DEADLINE_MS - 10 + dead % 200); // around the heartbeat's timeout
                silent.sendClose(1000);
                assertThat(silent.drainUntilClose(STEP).timedOut()).as("dead " + dead + " left waiting").isFalse();
            }
        });
        assertThat(failures).as("failed handshakes and closes").isEmpty();
        assertQuietServer("echo");
    }

    /**
     * A client that never answers the server's close is dropped after the close timeout. On Tomcat
     * all 20 stayed connected while the close from the timer's thread only marked Tomcat's streams
     * closed (see {@code TomcatUpgradeClose}).
     */
    @Test
    void aClientThatNeverAnswersTheServersCloseIsDropped() throws Exception {
        runConcurrently(20, mute -> {
            try (RawWebSocket silent = RawWebSocket.connect(endpoints.ws("echo", "mute"))) {
                RawWebSocket.Ending ending = silent.drainUntilClose(STEP);
                assertThat(ending.closeCode()).as("close frame").hasValue(1001);
                // never answers: the server drops the connection, on Tyrus after its close timeout
                assertThat(silent.drainUntilClose(STEP).timedOut()).as("still connected after " + STEP).isFalse();
            }
        });
        assertThat(failures).as("failed handshakes and closes").isEmpty();
        assertQuietServer("echo");
    }

    /** Readers closed for overflowing their outbox while they close themselves. */
    @Test
    void stalledReadersClosedForOverflowWhileClosingThemselvesLeaveTheLogClean() throws Exception {
        byte[] chunk = new byte[32 * 1024];
        runConcurrently(20, stalled -> {
            String ns = "stalled-" + stalled;
            try (RawWebSocket reader = RawWebSocket.connect(endpoints.ws("echo", ns))) {
                Peer flooder = connect(endpoints.ws("echo", ns), "flooder " + stalled);
                endpoints.awaitSessions("echo", ns, 2);
                long stop = System.nanoTime() + Duration.ofMillis(500 + 100L * stalled).toNanos();
                Thread closing = new Thread(() -> {
                    try {
                        Thread.sleep(Duration.ofNanos(stop - System.nanoTime()).toMillis());
                        reader.sendClose(1000);
                    } catch (Exception e) {
                        failures.add("stalled " + stalled + ": " + e);
                    }
                });
                closing.start();
                while (System.nanoTime() < stop + Duration.ofMillis(200).toNanos() && !flooder.socket.isOutputClosed()) {
                    flooder.socket.sendBinary(java.nio.ByteBuffer.wrap(chunk), true).join();
                }
                closing.join();
                flooder.hangUp().join();
            }
        });
        assertThat(failures).as("failed handshakes and closes").isEmpty();
        // On Payara, Tyrus' servlet writer logs a warning when the connection ends with frames still
        // queued for it (a cancellation from Grizzly): a stalled reader that goes away leaves such
        // frames by design, so these are this case's expected outcome there. On Tomcat (a broken
        // pipe) Tyrus is no longer told (co.signalchannel.tomcat.NonBlockingOutputStream.onError),
        // and the log must stay clean.
        boolean tomcat = "tomcat".equals(System.getProperty("arquillian.launch"));
        assertQuietServer("echo", Duration.ofSeconds(10), tomcat ? null : UNSENT_FRAMES_DISCARDED);
    }

    /**
     * Issue 10: of 200 connections dropped right after their upgrade, 70 to 126 stayed counted on
     * Payara until the heartbeat's timeout (Grizzly reported their end before Tyrus' handler had a
     * connection to close; see {@code OpenedFirstReadListener}). On Tomcat the sessions left, but
     * Tyrus' servlet writer logged 168 warnings with a stack trace (Broken pipe) for them.
     */
    @Test
    void connectionsDroppedRightAfterTheirUpgradeLeaveAtOnce() throws Exception {
        runConcurrently(200, dropped -> {
            RawWebSocket socket = RawWebSocket.connect(endpoints.ws("echo", "dropped"));
            if (dropped % 2 == 0) {
                socket.reset();
            } else {
                socket.close();
            }
        });
        assertThat(failures).as("failed handshakes").isEmpty();
        // Well inside the heartbeat's timeout. Tolerated, not yet understood (see the stop 17 note):
        // on Payara a send into a connection the client has just reset can stay inside Grizzly for
        // over 2 s, and WebSocketTransport warns that the session was released with it under way.
        assertQuietServer("echo", Duration.ofSeconds(3), SEND_UNDER_WAY_AT_RELEASE);
    }

    static final String SEND_UNDER_WAY_AT_RELEASE = "closed while a send to it was still under way after";

    interface Exchange {
        void run(int index) throws Exception;
    }

    /** Runs {@code count} exchanges, {@link #IN_FLIGHT} at a time; their failures go to {@link #failures}. */
    void runConcurrently(int count, Exchange exchange) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(IN_FLIGHT);
        try {
            Semaphore slots = new Semaphore(IN_FLIGHT);
            List<Future<?>> all = new java.util.ArrayList<>();
            for (int i = 0; i < count; i++) {
                int index = i;
                slots.acquire();
                if (i < IN_FLIGHT) {
                    Thread.sleep(20); // ramp up: a cold server on a busy machine answers its first crowd slowly
                }
                all.add(pool.submit(() -> {
                    try {
                        exchange.run(index);
                    } catch (Exception | AssertionError e) {
                        failures.add(index + ": " + e);
                    } finally {
                        slots.release();
                    }
                }));
            }
            for (Future<?> each : all) {
                each.get(2, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** Every session gone from the server within 10 s, and nothing in its log. */
    void assertQuietServer(String endpoint) throws Exception {
        assertQuietServer(endpoint, Duration.ofSeconds(10));
    }

    void assertQuietServer(String endpoint, Duration within) throws Exception {
        assertQuietServer(endpoint, within, null);
    }

    /** What Tyrus logs on Payara when a connection ends with frames still queued for it. */
    static final String UNSENT_FRAMES_DISCARDED = "TyrusServletWriter: TyrusServletWriter.onError | ";

    /** As {@link #assertQuietServer(String, Duration)}, tolerating log lines that contain {@code expected} (if not null). */
    void assertQuietServer(String endpoint, Duration within, String expected) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        int open;
        while ((open = endpoints.stats().getJsonObject(endpoint).getInt("sessions")) > 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(open).as("sessions still open on " + endpoint).isZero();
        List<String> problems = http.send(HttpRequest.newBuilder(endpoints.http("test/server-log")).build(),
                        HttpResponse.BodyHandlers.ofString()).body().lines()
                .filter(line -> expected == null || !line.contains(expected)).toList();
        assertThat(problems).as("problems in the server's log").isEmpty();
    }

    /** Opens a session; a handshake not answered with 101 is a failure naming the status. */
    Peer connect(URI uri, String name) throws Exception {
        Peer peer = new Peer(name);
        try {
            peer.socket = http.newWebSocketBuilder().connectTimeout(STEP).header("Origin", PageOrigin.of(uri))
                    .buildAsync(uri, peer)
                    .get(STEP.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof WebSocketHandshakeException refused) {
                throw new AssertionError(name + ": handshake answered with HTTP " + refused.getResponse().statusCode()
                        + " instead of 101");
            }
            throw new AssertionError(name + ": handshake failed: " + e.getCause());
        }
        return peer;
    }

    /** One client session: what it received, and how it ended. */
    final class Peer implements WebSocket.Listener {
        final String name;
        final BlockingQueue<String> received = new LinkedBlockingQueue<>();
        final CompletableFuture<String> closed = new CompletableFuture<>();
        final StringBuilder text = new StringBuilder();
        WebSocket socket;

        private Peer(String name) {
            this.name = name;
        }

        void send(String message) {
            try {
                socket.sendText(message, true).join();
            } catch (CompletionException e) {
                throw new AssertionError(name + ": could not send (" + e.getCause() + ")"
                        + (closed.isDone() ? "; closed with " + closed.join() : ""));
            }
        }

        void expect(String message) throws InterruptedException {
            assertThat(expectAny()).as(name + " received").isEqualTo(message);
        }

        String expectAny() throws InterruptedException {
            String message = received.poll(STEP.toMillis(), TimeUnit.MILLISECONDS);
            if (message == null) {
                throw new AssertionError(name + ": nothing arrived within " + STEP
                        + (closed.isDone() ? "; closed with " + closed.join() : ""));
            }
            return message;
        }

        /** Sends this end's close and waits for the server's; a close that never comes is a failure. */
        CompletableFuture<Void> hangUp() {
            return socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye")
                    .handle((sent, alreadyClosing) -> null)
                    .thenCompose(sent -> closed.copy().completeOnTimeout(null, STEP.toMillis(), TimeUnit.MILLISECONDS))
                    .handle((code, error) -> {
                        if (code == null) {
                            failures.add(name + ": the server never answered its close within " + STEP);
                        }
                        socket.abort();
                        return null;
                    });
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                received.add(text.toString());
                text.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(statusCode + " " + reason);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.complete("1006 " + error);
        }
    }
}
