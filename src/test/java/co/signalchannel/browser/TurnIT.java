package co.signalchannel.browser;

import co.signalchannel.config.Setting;
import co.signalchannel.config.TextSetting;
import co.signalchannel.testing.Deployments;
import co.signalchannel.testing.Endpoints;
import co.signalchannel.testing.TurnServer;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Two browsers connect through a real TURN server (coturn, {@link TurnServer}) with the credentials
 * {@code GET /v1/ice-servers} issues, and only with valid ones. Each page runs the client library
 * with {@code iceTransportPolicy: 'relay'}, so its peer connection can only use relay candidates,
 * and coturn answers no STUN, so a connection that carries data went through its relay.
 *
 * <p>One deployment (one Payara Micro: the adapter starts a server per deployment) issues credentials
 * for coturn's secret, valid for {@value #LIFETIME_MS} ms. The refused cases use it too: coturn
 * restarted on the same port with another secret, and a credential the page holds until it has
 * expired. Where WebRTC may run, and so the address coturn serves, is
 * {@link TurnServer#testAddress()}: 198.18.0.1 inside the network namespace of {@code .ci/run}, else
 * loopback. Skipped, saying what to install, without Chromium or coturn.
 */
@ExtendWith({ArquillianExtension.class, Chromium.ConsoleOnFailure.class})
class TurnIT {

    static final String SECRET = "turn-it-" + UUID.randomUUID();
    static final TurnServer TURN = TurnServer.on(TurnServer.testAddress());
    /**
     * How long a credential is valid: long enough for a page to use it at once even on a loaded
     * machine (it is used within a second), short enough to wait for its end.
     */
    static final long LIFETIME_MS = 5_000;
    /** How long the opening side lets a direct connection go without progress before it falls back to the relay. */
    static final long ICE_TIMEOUT_MS = 10_000;

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.signalChannel("turn", Map.of(Setting.TURN_LIFETIME_MS, LIFETIME_MS), Map.of(
                TextSetting.TURN_SECRET, SECRET, TextSetting.TURN_URLS, TURN.url()));
    }

    /** One browser per peer, shared by the tests (each test has a namespace of its own). */
    static final Map<String, Chromium> browsers = new HashMap<>();

    /**
     * Skips the test when Chromium or coturn is missing (in each test, so that every one is reported
     * skipped with the reason), and runs coturn with the server's secret unless a test changed that.
     */
    @BeforeEach
    void setUp() throws Exception {
        Chromium.assumeInstalled();
        TurnServer.assumeInstalled();
        turnServerWith(SECRET);
    }

    static void turnServerWith(String secret) throws Exception {
        if (TURN.isRunning() && TURN.secret().equals(secret)) {
            return;
        }
        TURN.close();
        TURN.start(secret);
    }

    @AfterEach
    void leavePages() {
        browsers.values().forEach(Chromium::reset);
    }

    @AfterAll
    static void stop() throws InterruptedException {
        browsers.values().forEach(Chromium::close);
        browsers.clear();
        TURN.close();
    }

    /**
     * Starts a peer in the page: wraps {@code RTCPeerConnection} so that every candidate, candidate
     * error and state change of the connections the library makes is kept in {@code window.turnTest},
     * then listens as {@code role} on a node of the channel {@code namespace} with relay-only ICE and
     * ICE servers from {@code v1/ice-servers}. With {@code hold} true the ICE servers are fetched as
     * usual but handed to the library only once their expiry (whole seconds, as coturn reads it)
     * has passed. "bob" answers every text it gets; "alice" connects to bob, sends a text and 64 KiB,
     * and returns what happened once bob's answer is in.
     */
    private static final String PEER = """
            const done = arguments[arguments.length - 1];
            const [role, namespace, hold, iceTimeout] = arguments;
            const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
            const until = async (condition, what, ms = 30000) => {
              const end = Date.now() + ms;
              while (!(await condition())) {
                if (Date.now() > end) throw new Error('timed out waiting for ' + what);
                await pause(20);
              }
            };
            const next = (emitter, type, ms = 30000) => new Promise((resolve, reject) => {
              const timer = setTimeout(() => reject(new Error('no "' + type + '" event within ' + ms + ' ms')), ms);
              emitter.once(type, (value) => { clearTimeout(timer); resolve(value); });
            });
            const sessions = async (endpoint, namespace) => (await (await fetch(new URL(
              'v1/stats/' + endpoint + '/' + encodeURIComponent(namespace), document.baseURI), { cache: 'no-store' })).json()).sessions;
            const text = (data) => typeof data === 'string' ? data : 'bytes:' + new Uint8Array(data).length;
            (async () => {
              const sc = await import(new URL('js/signal-channel.js', document.baseURI).href);
              const record = { pcs: [], transports: [], got: [], held: null };
              window.turnTest = record;
              const Original = window.RTCPeerConnection;
              window.RTCPeerConnection = class extends Original {
                constructor(config, ...rest) {
                  super(config, ...rest);
                  const pc = {
                    policy: config.iceTransportPolicy ?? 'all',
                    iceServers: (config.iceServers ?? []).map((server) => ({ urls: [].concat(server.urls), username: server.username ?? null })),
                    candidates: [], candidateErrors: [],
                    ice: [this.iceConnectionState], connection: [this.connectionState], gathering: [this.iceGatheringState],
                  };
                  record.pcs.push(pc);
                  this.addEventListener('icecandidate', ({ candidate }) => {
                    if (candidate && candidate.candidate) pc.candidates.push({ type: candidate.type, address: candidate.address, port: candidate.port });
                  });
                  this.addEventListener('icecandidateerror', (event) =>
                    pc.candidateErrors.push({ errorCode: event.errorCode, errorText: event.errorText, url: event.url }));
                  this.addEventListener('iceconnectionstatechange', () => pc.ice.push(this.iceConnectionState));
                  this.addEventListener('connectionstatechange', () => pc.connection.push(this.connectionState));
                  this.addEventListener('icegatheringstatechange', () => pc.gathering.push(this.iceGatheringState));
                }
              };
              const iceServers = !hold ? 'v1/ice-servers' : async () => {
                const servers = await (await fetch(new URL('v1/ice-servers', document.baseURI), { cache: 'no-store' })).json();
                const expiry = Math.max(...servers.filter((server) => server.username).map((server) => Number(server.username.split(':')[0])));
                const fetchedAt = Date.now();
                // coturn accepts a credential through the second its username names
                const expired = (expiry + 1) * 1000 + 200;
                await until(() => Date.now() >= expired, 'the credential to expire', expired - Date.now() + 1000);
                record.held = { expiry, fetchedAt, usedAt: Date.now() };
                return servers;
              };
              const channel = sc.SignalChannel(namespace, { iceServers, iceTransportPolicy: 'relay', iceTimeout });
              const node = channel.createNode();
              window.node = node;
              node.listen(role);
              await next(node, 'listening');
              if (role === 'bob') {
                node.on('connection', (connection) => {
                  record.transports.push(connection.transport);
                  connection.on('transport', (kind) => record.transports.push(kind));
                  connection.on('stream', (stream) => stream.on('data', (data) => {
                    record.got.push(stream.name + ' ' + text(data));
                    if (typeof data === 'string') stream.write('pong: ' + data);
                  }));
                });
                return 'listening';
              }
              await until(async () => await sessions('echo', namespace) === 2, 'both nodes registered');
              const started = Date.now();
              const connection = node.connect('bob');
              connection.on('transport', (kind) => record.transports.push(kind));
              const chat = connection.createStream('chat');
              chat.on('data', (data) => record.got.push('chat ' + text(data)));
              await next(connection, 'open', 60000);
              record.openedAfterMs = Date.now() - started;
              chat.write('ping from alice');
              chat.write(new Uint8Array(65536).fill(7));
              await until(() => record.got.length === 1, 'bob\\'s answer');
              return 'connected';
            })().then((value) => done({ value }), (error) => done({ error: String(error && error.stack || error) }));
            """;

    /**
     * What a page's connection to its peer is: its record, and, when it is direct, the selected
     * candidate pair of its {@code RTCPeerConnection} from {@code getStats}.
     */
    private static final String OUTCOME = """
            const done = arguments[arguments.length - 1];
            (async () => {
              const record = window.turnTest;
              const connection = window.node.connections[0];
              let selected = null;
              const pc = connection && connection.rtc;
              if (pc) {
                const stats = await pc.getStats();
                let pair = null;
                stats.forEach((report) => {
                  if (report.type === 'transport' && report.selectedCandidatePairId) pair = stats.get(report.selectedCandidatePairId);
                });
                if (pair) {
                  const candidate = (id) => {
                    const c = stats.get(id);
                    return { candidateType: c.candidateType, address: c.address, port: c.port, protocol: c.protocol,
                             relayProtocol: c.relayProtocol ?? null, url: c.url ?? null };
                  };
                  selected = { state: pair.state, bytesSent: pair.bytesSent, bytesReceived: pair.bytesReceived,
                               local: candidate(pair.localCandidateId), remote: candidate(pair.remoteCandidateId) };
                }
              }
              return { ...record, state: connection ? connection.state : null, transport: connection ? connection.transport : null, selected };
            })().then((value) => done({ value }), (error) => done({ error: String(error && error.stack || error) }));
            """;

    Chromium page(String name) {
        Chromium browser = browsers.computeIfAbsent(name, Chromium::launch);
        browser.open(Endpoints.deployed("turn").http(""));
        return browser;
    }

    @SuppressWarnings("unchecked")
    static <T> T run(Chromium browser, String script, Object... args) {
        Map<String, Object> result = (Map<String, Object>) browser.driver.executeAsyncScript(script, args);
        if (result.containsKey("error")) {
            fail("the script failed in the browser: " + result.get("error"));
        }
        return (T) result.get("value");
    }

    /** Connects alice to bob; returns each side's outcome, alice's first. */
    List<Map<String, Object>> connect(boolean hold) {
        String namespace = "turn-" + UUID.randomUUID().toString().substring(0, 8);
        Chromium bob = page("bob");
        Chromium alice = page("alice");
        assertThat((String) run(bob, PEER, "bob", namespace, hold, ICE_TIMEOUT_MS)).isEqualTo("listening");
        assertThat((String) run(alice, PEER, "alice", namespace, hold, ICE_TIMEOUT_MS)).isEqualTo("connected");
        bob.await("alice's text and bytes at bob", driver -> ((List<?>) driver.executeScript("return window.turnTest.got")).size() == 2);
        return List.of(run(alice, OUTCOME), run(bob, OUTCOME));
    }

    @Test
    @SuppressWarnings("unchecked")
    void pagesConnectThroughCoturnWithCredentialsFromTheServer() throws Exception {
        List<Map<String, Object>> outcomes = connect(false);
        Map<String, Object> alice = outcomes.get(0), bob = outcomes.get(1);
        System.out.println("through " + TURN.url() + ":\nalice " + alice + "\nbob " + bob);

        assertThat(alice.get("got")).isEqualTo(List.of("chat pong: ping from alice"));
        assertThat(bob.get("got")).isEqualTo(List.of("chat ping from alice", "chat bytes:65536"));
        String relayAddress = TURN.address().getHostAddress();
        for (Map<String, Object> side : outcomes) {
            assertThat(side.get("transports")).as("no fallback to the server's relay").isEqualTo(List.of("rtc"));
            Map<String, Object> pc = onlyPeerConnection(side);
            assertThat(pc).containsEntry("policy", "relay");
            assertThat(pc.get("iceServers")).as("what v1/ice-servers answered")
                    .isEqualTo(List.of(Map.of("urls", List.of(TURN.url()), "username", username(side))));
            assertThat(username(side)).matches("[0-9]+:[0-9a-f]{16}");
            assertThat((List<Map<String, Object>>) pc.get("candidates")).as("candidates gathered").isNotEmpty()
                    .allSatisfy(candidate -> assertThat(candidate)
                            .containsEntry("type", "relay").containsEntry("address", relayAddress));
            assertThat((List<String>) pc.get("connection")).contains("connected");

            Map<String, Object> selected = (Map<String, Object>) side.get("selected");
            assertThat(selected).as("the selected candidate pair").isNotNull().containsEntry("state", "succeeded");
            Map<String, Object> local = (Map<String, Object>) selected.get("local");
            Map<String, Object> remote = (Map<String, Object>) selected.get("remote");
            assertThat(local).containsEntry("candidateType", "relay").containsEntry("relayProtocol", "udp")
                    .containsEntry("address", relayAddress).containsEntry("url", TURN.url());
            assertThat(((Number) local.get("port")).intValue()).isBetween(TURN.minRelayPort(), TURN.maxRelayPort());
            assertThat(remote).containsEntry("candidateType", "relay").containsEntry("address", relayAddress);
            assertThat(((Number) remote.get("port")).intValue()).isBetween(TURN.minRelayPort(), TURN.maxRelayPort());
        }
        assertThat(((Number) ((Map<String, Object>) alice.get("selected")).get("bytesSent")).longValue()).isGreaterThan(65536L);
        assertThat(((Number) ((Map<String, Object>) bob.get("selected")).get("bytesReceived")).longValue()).isGreaterThan(65536L);
        assertThat(username(alice)).as("each page its own credential").isNotEqualTo(username(bob));
        // coturn's side: each page's credential got an allocation and a channel to the other's relay address
        for (Map<String, Object> side : outcomes) {
            awaitTurnLog("user <" + username(side) + ">: incoming packet ALLOCATE processed, success");
            awaitTurnLog("user <" + username(side) + ">: incoming packet CHANNEL_BIND processed, success");
        }
    }

    @Test
    void withAnotherSecretThanCoturnsNoRelayIsAllocatedAndTheDirectPathNeverConnects() throws Exception {
        turnServerWith("not-" + SECRET);
        List<Map<String, Object>> outcomes = connect(false);
        System.out.println("coturn with another secret:\nalice " + outcomes.get(0) + "\nbob " + outcomes.get(1));
        assertRefusedByCoturn(outcomes);
    }

    @Test
    @SuppressWarnings("unchecked")
    void anExpiredCredentialGetsNoRelayAndTheDirectPathNeverConnects() throws Exception {
        List<Map<String, Object>> outcomes = connect(true);
        System.out.println("expired credentials:\nalice " + outcomes.get(0) + "\nbob " + outcomes.get(1));
        for (Map<String, Object> side : outcomes) {
            Map<String, Object> held = (Map<String, Object>) side.get("held");
            long expiry = ((Number) held.get("expiry")).longValue();
            assertThat(expiry * 1000).as("the credential's expiry, issued valid for " + LIFETIME_MS + " ms")
                    .isBetween(((Number) held.get("fetchedAt")).longValue() + LIFETIME_MS - 2000,
                            ((Number) held.get("fetchedAt")).longValue() + LIFETIME_MS);
            assertThat(((Number) held.get("usedAt")).longValue()).as("used after its expiry second")
                    .isGreaterThanOrEqualTo((expiry + 1) * 1000);
        }
        assertRefusedByCoturn(outcomes);
    }

    /**
     * Both pages got a TURN credential that coturn refuses: each allocation was answered 401 (coturn
     * logged that it found no credentials for the user), so no relay candidate was gathered (Chromium
     * stays "gathering", ICE stays "new"), the peer connections never connected, and after
     * {@link #ICE_TIMEOUT_MS} without progress the client carried the connection over the server's
     * relay instead.
     */
    @SuppressWarnings("unchecked")
    static void assertRefusedByCoturn(List<Map<String, Object>> outcomes) throws Exception {
        Map<String, Object> alice = outcomes.get(0);
        assertThat(alice.get("got")).isEqualTo(List.of("chat pong: ping from alice"));
        assertThat(((Number) alice.get("openedAfterMs")).longValue()).as("ms until open")
                .isGreaterThanOrEqualTo(ICE_TIMEOUT_MS);
        for (Map<String, Object> side : outcomes) {
            assertThat(side.get("transports")).as("the direct path given up for the server's relay")
                    .isEqualTo(List.of("rtc", "relay"));
            assertThat(side).containsEntry("transport", "relay").containsEntry("state", "open");
            Map<String, Object> pc = onlyPeerConnection(side);
            assertThat(pc).containsEntry("policy", "relay");
            assertThat((List<Object>) pc.get("candidates")).as("candidates gathered").isEmpty();
            assertThat((List<Map<String, Object>>) pc.get("candidateErrors")).as("what the TURN server answered")
                    .isNotEmpty().allSatisfy(error -> assertThat(error)
                            .containsEntry("errorCode", 401L).containsEntry("url", TURN.url()));
            assertThat((List<String>) pc.get("ice")).doesNotContain("connected", "completed");
            assertThat((List<String>) pc.get("connection")).doesNotContain("connected");
            awaitTurnLog("check_stun_auth: Cannot find credentials of user <" + username(side) + ">");
            assertThat(TURN.logText()).doesNotContain("user <" + username(side) + ">: incoming packet ALLOCATE processed, success");
        }
    }

    /** Waits (up to {@link Chromium#WAIT}) until coturn has logged {@code line}. */
    static void awaitTurnLog(String line) throws InterruptedException {
        long deadline = System.nanoTime() + Chromium.WAIT.toNanos();
        while (!TURN.logText().contains(line)) {
            if (System.nanoTime() > deadline) {
                fail("coturn did not log \"" + line + "\" within " + Chromium.WAIT + "; see " + TURN.log());
            }
            Thread.sleep(50);
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> onlyPeerConnection(Map<String, Object> side) {
        List<Map<String, Object>> pcs = (List<Map<String, Object>>) side.get("pcs");
        assertThat(pcs).as("peer connections made").hasSize(1);
        return pcs.get(0);
    }

    /** The TURN username the page's peer connection was given. */
    @SuppressWarnings("unchecked")
    static String username(Map<String, Object> side) {
        List<Map<String, Object>> servers = (List<Map<String, Object>>) onlyPeerConnection(side).get("iceServers");
        assertThat(servers).as("ICE servers").hasSize(1);
        return (String) servers.get(0).get("username");
    }
}
