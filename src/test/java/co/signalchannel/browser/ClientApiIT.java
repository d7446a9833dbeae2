package co.signalchannel.browser;

import co.signalchannel.config.Setting;
import co.signalchannel.testing.Deployments;
import co.signalchannel.testing.Endpoints;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The client library's API, driven from a page of the deployed WAR: each test imports
 * {@code js/signal-channel.js} in the page, runs a script against it and checks what it returns.
 */
@ExtendWith({ArquillianExtension.class, Chromium.ConsoleOnFailure.class})
class ClientApiIT {

    static final int MAX_SESSIONS_PER_NAMESPACE = 3;
    static final int MAX_NAMESPACE_LENGTH = 64;

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.signalChannel("client-api", Map.of(
                Setting.NAMESPACE_MAX_SESSIONS, (long) MAX_SESSIONS_PER_NAMESPACE,
                Setting.NAMESPACE_MAX_LENGTH, (long) MAX_NAMESPACE_LENGTH));
    }

    /**
     * Runs before every script: {@code sc} is the module, {@code args} the arguments, and a few
     * helpers wait for things without fixed sleeps.
     */
    static final String PRELUDE = """
            const done = arguments[arguments.length - 1];
            const args = Array.prototype.slice.call(arguments, 0, -1);
            const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
            const until = async (condition, what, ms = 15000) => {
              const end = Date.now() + ms;
              while (!(await condition())) {
                if (Date.now() > end) throw new Error('timed out waiting for ' + what);
                await pause(20);
              }
            };
            const next = (emitter, type, ms = 15000) => new Promise((resolve, reject) => {
              const timer = setTimeout(() => reject(new Error('no "' + type + '" event within ' + ms + ' ms')), ms);
              emitter.once(type, (value) => { clearTimeout(timer); resolve(value); });
            });
            const sessions = async (endpoint, namespace) => (await (await fetch(new URL(
              'v1/stats/' + endpoint + '/' + encodeURIComponent(namespace), document.baseURI), { cache: 'no-store' })).json()).sessions;
            const text = (data) => typeof data === 'string' ? data : 'bytes:' + new Uint8Array(data).length;
            import(new URL('js/signal-channel.js', document.baseURI).href)
              .then((sc) => (async () => {
            %s
              })())
              .then((value) => done({ value: value === undefined ? null : value }),
                    (error) => done({ error: String(error && error.stack || error) }));
            """;

    static Chromium browser;

    /** The deployment, on 127.0.0.1: a secure context (for the camera) and no traffic on a real interface. */
    final Endpoints endpoints = Endpoints.deployed("client-api");

    String namespace;

    @BeforeEach
    void setUp() {
        Chromium.assumeInstalled();
        if (browser == null) {
            browser = Chromium.launch("client-api");
        }
        browser.open(endpoints.http(""));
        namespace = "api-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @AfterAll
    static void closeBrowser() {
        if (browser != null) {
            browser.close();
            browser = null;
        }
    }

    /** Runs {@code body} (the inside of an async function) in the page and returns what it returns. */
    @SuppressWarnings("unchecked")
    <T> T run(String body, Object... args) {
        Object outcome = browser.driver.executeAsyncScript(PRELUDE.formatted(body), args);
        Map<String, Object> result = (Map<String, Object>) outcome;
        if (result.containsKey("error")) {
            fail("the script failed in the browser: " + result.get("error"));
        }
        return (T) result.get("value");
    }

    @Test
    void echoStreamsDeliverEveryMessageToEveryStreamSenderIncludedTextAndBinaryKept() {
        Map<String, List<String>> got = run("""
                const [namespace] = args;
                const a = sc.echo(namespace), b = sc.echo(namespace);
                const got = { a: [], b: [] };
                a.on('data', (data) => got.a.push(text(data)));
                b.on('data', (data) => got.b.push(text(data)));
                await Promise.all([next(a, 'open'), next(b, 'open')]);
                await until(async () => await sessions('echo', namespace) === 2, 'both sessions registered');
                a.write('hello');
                b.write(new Uint8Array([1, 2, 3]));
                await until(() => got.a.length === 2 && got.b.length === 2, 'two messages each');
                a.end();
                const closed = await next(a, 'close');
                b.end();
                return { ...got, closed: [String(closed.code), a.state] };
                """, namespace);
        assertThat(got.get("a")).containsExactlyInAnyOrder("hello", "bytes:3");
        assertThat(got.get("b")).isEqualTo(got.get("a"));
        assertThat(got.get("closed")).containsExactly("1000", "closed");
    }

    @Test
    void relayStreamsWithMirrorHeadersArePairedAndEndTogether() {
        Map<String, Object> outcome = run("""
                const [namespace] = args;
                const a = sc.relay(namespace, { local: 'left', remote: 'right' });
                a.write('sent before pairing');
                const states = [];
                a.on('state', (state) => states.push(state));
                const got = { a: [], b: [] };
                a.on('data', (data) => got.a.push(text(data)));
                await until(() => a.state === 'pairing', 'a waiting for its partner');
                const b = sc.relay(namespace, { local: 'right', remote: 'left' });
                b.on('data', (data) => got.b.push(text(data)));
                await Promise.all([next(a, 'open'), next(b, 'open')]);
                b.write(new Uint8Array(10));
                await until(() => got.a.length === 1 && got.b.length === 1, 'one message each way');
                const closed = Promise.all([next(b, 'close'), next(a, 'close')]);
                a.end();
                const [closure] = await closed;
                return { got, states, code: closure.code, reason: closure.reason, b: b.state };
                """, namespace);
        assertThat(outcome.get("got")).isEqualTo(Map.of("a", List.of("bytes:10"), "b", List.of("sent before pairing")));
        assertThat(outcome.get("states")).isEqualTo(List.of("pairing", "open", "closed"));
        assertThat(outcome).containsEntry("code", 1000L).containsEntry("b", "closed");
    }

    @Test
    void echoReconnectsWithBackoffAfterTheServerDropsIt() {
        Map<String, Object> outcome = run("""
                const [namespace] = args;
                const stream = sc.echo(namespace, { backoff: { initial: 50, max: 200 } });
                const got = [];
                stream.on('data', (data) => got.push(text(data)));
                await next(stream, 'open');
                const error = next(stream, 'error');
                const disconnect = next(stream, 'disconnect');
                stream.write('x'.repeat(70000)); // over the server's 64 KiB limit: closed with 1009
                const { code, delay } = await disconnect;
                const reopened = await next(stream, 'open');
                await until(async () => await sessions('echo', namespace) === 1, 'the new session registered');
                stream.write('after the drop');
                await until(() => got.includes('after the drop'), 'the echo after reconnecting');
                stream.end();
                return { code, delay, errorCode: (await error).code, reconnected: reopened.reconnected };
                """, namespace);
        assertThat(outcome).containsEntry("code", 1009L).containsEntry("errorCode", 1009L).containsEntry("reconnected", true);
        assertThat((Long) outcome.get("delay")).isBetween(25L, 50L);
    }

    @Test
    void aFullNamespaceIsRetriedUntilThereIsRoom() {
        Map<String, Object> outcome = run("""
                const [namespace, capacity] = args;
                const members = [];
                for (let i = 0; i < capacity; i++) members.push(sc.echo(namespace));
                await until(async () => await sessions('echo', namespace) === capacity, 'the namespace full');
                const late = sc.echo(namespace, { backoff: { initial: 50, max: 100 } });
                const codes = [];
                late.on('disconnect', ({ code }) => codes.push(code));
                await until(() => codes.length >= 2, 'two refusals');
                members[0].end();
                await next(late, 'open');
                await until(async () => await sessions('echo', namespace) === capacity, 'the late stream taken in');
                for (const stream of [...members, late]) stream.end();
                return { codes: [...new Set(codes)], state: late.state };
                """, namespace, MAX_SESSIONS_PER_NAMESPACE);
        assertThat(outcome.get("codes")).isEqualTo(List.of(1013L));
    }

    @Test
    void aPolicyCloseIsNeverRetried() {
        Map<String, Object> outcome = run("""
                const [tooLong] = args;
                const Original = window.WebSocket;
                let opened = 0;
                window.WebSocket = class extends Original {
                  constructor(...a) { super(...a); opened++; }
                };
                try {
                  const stream = sc.echo(tooLong, { backoff: { initial: 10, max: 10, jitter: 0 } });
                  const error = next(stream, 'error');
                  const closure = await next(stream, 'close');
                  await pause(500); // a retry would come within 10 ms
                  return { code: closure.code, errorCode: (await error).code, opened, state: stream.state };
                } finally {
                  window.WebSocket = Original;
                }
                """, "n".repeat(MAX_NAMESPACE_LENGTH + 1));
        assertThat(outcome).containsEntry("code", 1008L).containsEntry("errorCode", 1008L)
                .containsEntry("opened", 1L).containsEntry("state", "closed");
    }

    /** "." and ".." used to reach other addresses (the URL parser removes them: "/v1/echo/", "/v1/"), "a/b" arrived as "a%2Fb". */
    @Test
    void namespacesTheServerRefusesAreRefusedBeforeConnectingNamingTheRule() {
        Map<String, Object> outcome = run("""
                const Original = window.WebSocket;
                let opened = 0;
                window.WebSocket = class extends Original {
                  constructor(...a) { super(...a); opened++; }
                };
                const attempts = {
                  dot: () => sc.echo('.'),
                  dots: () => sc.scuttlebutt('..'),
                  slash: () => sc.echo('a/b'),
                  backslash: () => sc.echo('a\\\\b'),
                  nul: () => sc.echo('a\u0000b'),
                  relay: () => sc.relay('..', { local: 'x', remote: 'y' }),
                  channel: () => new sc.SignalChannel('...'),
                };
                const refusals = {};
                try {
                  for (const [what, attempt] of Object.entries(attempts)) {
                    try {
                      attempt();
                      refusals[what] = 'accepted';
                    } catch (error) {
                      refusals[what] = error.name + ': ' + error.message;
                    }
                  }
                  return { refusals, opened, fine: sc.endpointUrl('echo', '..a') };
                } finally {
                  window.WebSocket = Original;
                }
                """);
        assertThat(outcome).containsEntry("opened", 0L).containsEntry("fine", endpoints.ws("echo", "..a").toString());
        @SuppressWarnings("unchecked")
        Map<String, String> refusals = (Map<String, String>) outcome.get("refusals");
        assertThat(refusals.get("dot")).isEqualTo("TypeError: namespace \".\": a namespace name must not be only dots"
                + " (\".\", \"..\"): URLs treat them as steps in the path");
        assertThat(refusals.get("dots")).startsWith("TypeError: namespace \"..\": a namespace name must not be only dots");
        assertThat(refusals.get("relay")).startsWith("TypeError: namespace \"..\": a namespace name must not be only dots");
        assertThat(refusals.get("channel")).startsWith("TypeError: namespace \"...\": a namespace name must not be only dots");
        assertThat(refusals.get("slash")).isEqualTo("TypeError: namespace \"a/b\": a namespace name must not contain \"/\" or \"\\\"");
        assertThat(refusals.get("backslash")).endsWith("a namespace name must not contain \"/\" or \"\\\"");
        assertThat(refusals.get("nul")).isEqualTo("TypeError: namespace \"a\\u0000b\": a namespace name must not contain"
                + " control characters (U+0000 to U+001F, U+007F to U+009F)");
    }

    @Test
    void scuttlebuttReplicasConvergeThroughTheServerAndALateReplicaGetsTheHistory() {
        Map<String, Object> outcome = run("""
                const [namespace] = args;
                const one = sc.scuttlebutt(namespace), two = sc.scuttlebutt(namespace);
                await Promise.all([next(one.model, 'sync'), next(two.model, 'sync')]);
                const updates = [];
                two.model.on('update', (key, value, info) => updates.push([key, JSON.stringify(value), info.local]));
                one.model.set('greeting', 'hello');
                one.model.set('profile', { name: 'ada' });
                two.model.set('profile', { city: 'london' });
                one.model.set('doomed', true);
                one.model.delete('doomed');
                const same = () => JSON.stringify(one.model.toJSON()) === JSON.stringify(two.model.toJSON());
                await until(() => same() && two.model.get('greeting') === 'hello' && !two.model.has('doomed')
                    && Object.keys(one.model.get('profile')).length === 2, 'the replicas to agree');
                const late = sc.scuttlebutt(namespace);
                await next(late.model, 'sync');
                const result = { one: one.model.toJSON(), late: late.model.toJSON(), updates };
                for (const stream of [one, two, late]) stream.end();
                return result;
                """, namespace);
        Map<String, Object> expected = Map.of("greeting", "hello", "profile", Map.of("name", "ada", "city", "london"));
        assertThat(outcome.get("one")).isEqualTo(expected);
        assertThat(outcome.get("late")).isEqualTo(expected);
    }

    @Test
    void scuttlebuttResynchronisesByDigestAfterAReconnect() {
        Map<String, Object> outcome = run("""
                const [namespace] = args;
                const one = sc.scuttlebutt(namespace, { backoff: { initial: 50, max: 100 } });
                const two = sc.scuttlebutt(namespace);
                await Promise.all([next(one.model, 'sync'), next(two.model, 'sync')]);
                await until(async () => await sessions('scuttlebutt', namespace) === 2, 'both registered');
                const dropped = next(one, 'disconnect');
                one.write(['x'.repeat(70000)]); // over the message limit: the server closes it
                const { code } = await dropped;
                // Both sides change while one is away.
                one.model.set('written offline', 1);
                two.model.set('written meanwhile', 2);
                const reopened = await next(one, 'open');
                await next(one.model, 'sync');
                await until(() => two.model.get('written offline') === 1 && one.model.get('written meanwhile') === 2,
                    'both changes on both replicas');
                for (const stream of [one, two]) stream.end();
                return { code, reconnected: reopened.reconnected, one: one.model.toJSON() };
                """, namespace);
        assertThat(outcome).containsEntry("code", 1009L).containsEntry("reconnected", true);
        assertThat(outcome.get("one")).isEqualTo(Map.of("written offline", 1L, "written meanwhile", 2L));
    }

    @Test
    void timestampsIncreaseStrictlyWithinOneMillisecond() {
        Boolean increasing = run("""
                let previous = 0, fractional = false;
                for (let i = 0; i < 10000; i++) {
                  const ts = sc.timestamp();
                  if (!(ts > previous)) return false;
                  if (ts !== Math.floor(ts)) fractional = true;
                  previous = ts;
                }
                return fractional && Math.abs(previous - Date.now()) < 1000;
                """);
        assertThat(increasing).isTrue();
    }

    @Test
    void presenceReportsJoinsPromptLeavesAndSilentPeersAfterTheTimeout() {
        Map<String, Object> outcome = run("""
                const [namespace] = args;
                const channel = sc.SignalChannel(namespace, { heartbeatInterval: 200 });
                const watcher = channel.createPeers();
                const events = [];
                watcher.on('join', (peer) => events.push('join ' + peer.name));
                watcher.on('leave', (peer, reason) => events.push('leave ' + peer.name + ' ' + reason));
                watcher.join({ id: 'watcher', name: 'watcher' });
                const polite = channel.createPeers(), silent = channel.createPeers();
                polite.join({ id: 'polite', name: 'polite' });
                silent.join({ id: 'silent', name: 'silent' });
                await until(() => watcher.list().length === 2, 'both peers joined');
                const listed = watcher.list().map((peer) => peer.id);
                polite.close();
                await until(() => events.includes('leave polite left'), 'the polite peer leaving');
                const promptly = Date.now();
                silent.stream.end(); // gone without a word: its heartbeats no longer reach anyone
                await until(() => events.includes('leave silent timeout'), 'the silent peer timing out');
                const silence = Date.now() - promptly;
                watcher.close();
                return { listed, events, silence };
                """, namespace);
        assertThat(outcome.get("listed")).isEqualTo(List.of("polite", "silent"));
        @SuppressWarnings("unchecked")
        List<String> events = (List<String>) outcome.get("events");
        assertThat(events.subList(0, 2)).containsExactlyInAnyOrder("join polite", "join silent");
        assertThat(events.subList(2, events.size())).containsExactly("leave polite left", "leave silent timeout");
        assertThat((Long) outcome.get("silence")).isBetween(300L, 3000L);
    }

    /** Two nodes in the page, {@code a} and {@code b}, listening on {@code namespace}; the script continues from there. */
    static String twoNodes(String options) {
        return """
                const [namespace] = args;
                const channel = sc.SignalChannel(namespace);
                const a = channel.createNode(), b = channel.createNode();
                a.listen('a'); b.listen('b');
                await Promise.all([next(a, 'listening'), next(b, 'listening')]);
                await until(async () => await sessions('echo', namespace) === 2, 'both nodes registered');
                const incoming = next(b, 'connection');
                const connection = a.connect('b', %s);
                const transports = [];
                connection.on('transport', (kind) => transports.push(kind));
                const chat = connection.createStream('chat');
                const files = connection.createStream('files');
                const accepted = await incoming;
                const got = { a: [], b: [] };
                const remote = {};
                accepted.on('stream', (stream) => {
                  remote[stream.name] = stream;
                  stream.on('data', (data) => got.b.push(stream.name + ' ' + text(data)));
                });
                chat.on('data', (data) => got.a.push('chat ' + text(data)));
                await Promise.all([next(connection, 'open'), next(accepted, 'open')]);
                chat.write('hello');
                files.write(new Uint8Array(100000));
                files.write('é'.repeat(30000));
                await until(() => got.b.length === 3, 'three messages at b');
                remote.chat.write('hi back');
                await until(() => got.a.length === 1, 'the answer at a');
                const closed = next(accepted, 'close');
                connection.close();
                const closure = await closed;
                a.close(); b.close();
                return { transports, acceptedTransport: accepted.transport, opened: connection.opened,
                         acceptedOpened: accepted.opened, got, closed: closure.reason };
                """.formatted(options);
    }

    static void assertCarried(Map<String, Object> outcome) {
        assertThat(outcome.get("got")).isEqualTo(Map.of(
                "a", List.of("chat hi back"),
                "b", List.of("chat hello", "files bytes:100000", "files " + "é".repeat(30000))));
        assertThat(outcome).containsEntry("opened", true).containsEntry("acceptedOpened", false)
                .containsEntry("closed", "closed by peer");
    }

    @Test
    void nodesConnectDirectlyAndCarryNamedStreamsBothWays() {
        Map<String, Object> outcome = run(twoNodes("{}"), namespace);
        assertCarried(outcome);
        assertThat(outcome.get("transports")).isEqualTo(List.of("rtc"));
        assertThat(outcome).containsEntry("acceptedTransport", "rtc");
    }

    @Test
    void aConnectionWhoseIceNeverConnectsFallsBackToTheRelay() {
        // TURN-only ICE with no TURN server: not a single candidate, so ICE cannot connect.
        Map<String, Object> outcome = run(twoNodes("{ iceTransportPolicy: 'relay', iceTimeout: 1500 }"), namespace);
        assertCarried(outcome);
        assertThat(outcome.get("transports")).isEqualTo(List.of("rtc", "relay"));
        assertThat(outcome).containsEntry("acceptedTransport", "relay");
    }

    @Test
    void whenTheCallerAsksForTheRelayNoDirectConnectionIsTried() {
        Map<String, Object> outcome = run(twoNodes("{ relay: true }"), namespace);
        assertCarried(outcome);
        assertThat(outcome.get("transports")).isEqualTo(List.of("relay"));
        assertThat(outcome).containsEntry("acceptedTransport", "relay");
    }

    @Test
    void withoutRTCPeerConnectionTheRelayCarriesTheConnection() {
        browser.script("window.RTCPeerConnection = undefined;");
        Map<String, Object> outcome = run(twoNodes("{}"), namespace);
        assertCarried(outcome);
        assertThat(outcome.get("transports")).isEqualTo(List.of("relay"));
    }
}
