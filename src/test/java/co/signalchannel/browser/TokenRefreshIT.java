package co.signalchannel.browser;

import co.signalchannel.config.TextSetting;
import co.signalchannel.testing.Deployments;
import co.signalchannel.testing.Endpoints;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The browser client's {@code token} option against a server that requires tokens: a token
 * function is called before every (re)connect, so a session whose token expires comes back with a
 * fresh one; a bad token or one outside its namespaces is refused for good; ICE servers are
 * fetched with the token as a bearer token.
 */
@ExtendWith({ArquillianExtension.class, Chromium.ConsoleOnFailure.class})
class TokenRefreshIT {

    static final String SECRET = "token-refresh-it-hmac-secret-of-at-least-32-bytes";
    static final String TURN_URL = "turn:127.0.0.1:3478";

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.signalChannel("token-refresh", Map.of(), Map.of(
                TextSetting.AUTH_HMAC_SECRETS, SECRET,
                TextSetting.TURN_SECRET, "token-refresh-it-turn-secret",
                TextSetting.TURN_URLS, TURN_URL));
    }

    static Chromium browser;

    final Endpoints endpoints = Endpoints.deployed("token-refresh");

    String namespace;

    @BeforeEach
    void setUp() {
        Chromium.assumeInstalled();
        if (browser == null) {
            browser = Chromium.launch("token-refresh");
        }
        browser.open(endpoints.http(""));
        namespace = "room-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @AfterAll
    static void closeBrowser() {
        if (browser != null) {
            browser.close();
            browser = null;
        }
    }

    /** An HS256 token signed with {@code secret}: {@code sub}, {@code exp} and, if given, a {@code namespaces} claim. */
    static String token(String secret, String subject, Instant expires, Map<String, List<String>> namespaces) {
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().subject(subject).expirationTime(Date.from(expires));
        if (namespaces != null) {
            claims.claim("namespaces", namespaces);
        }
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims.build());
        try {
            jwt.sign(new MACSigner(secret.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        return jwt.serialize();
    }

    static String token(String subject, Duration lifetime) {
        return token(SECRET, subject, Instant.now().plus(lifetime), null);
    }

    /**
     * Runs {@code body} in the page with {@link ClientApiIT#PRELUDE}'s helpers, plus
     * {@code tokenFunction(tokens)}: a token function that hands out {@code tokens} one per call
     * (the last one again once they run out), asynchronously as a backend fetch would, and counts
     * its calls in {@code .calls}.
     */
    @SuppressWarnings("unchecked")
    <T> T run(String body, Object... args) {
        String withTokens = """
                const tokenFunction = (tokens) => {
                  const queue = [...tokens];
                  const give = async () => {
                    give.calls++;
                    await pause(10);
                    return queue.length > 1 ? queue.shift() : queue[0];
                  };
                  give.calls = 0;
                  return give;
                };
                """ + body;
        Map<String, Object> result = (Map<String, Object>) browser.driver.executeAsyncScript(
                ClientApiIT.PRELUDE.formatted(withTokens), args);
        if (result.containsKey("error")) {
            fail("the script failed in the browser: " + result.get("error"));
        }
        return (T) result.get("value");
    }

    @Test
    void aStreamWhoseTokenExpiresReconnectsWithAFreshOneFromItsTokenFunction() {
        // exp has whole seconds: this one ends 2 to 3 s from now.
        String shortLived = token("alice", Duration.ofSeconds(3));
        String fresh = token("alice", Duration.ofMinutes(10));
        Map<String, Object> outcome = run("""
                const [namespace, shortLived, fresh] = args;
                const token = tokenFunction([shortLived, fresh]);
                const stream = sc.echo(namespace, { token, backoff: { initial: 50, max: 200 } });
                const got = [], errors = [];
                stream.on('data', (data) => got.push(text(data)));
                stream.on('error', (error) => errors.push(error.message));
                const first = await next(stream, 'open');
                stream.write('before');
                await until(() => got.includes('before'), 'the echo with the first token');
                const disconnect = await next(stream, 'disconnect', 10000);
                const reopened = await next(stream, 'open');
                stream.write('after');
                await until(() => got.includes('after'), 'the echo with the fresh token');
                stream.end();
                await next(stream, 'close');
                return { first: first.reconnected, reconnected: reopened.reconnected, calls: token.calls,
                         code: disconnect.code, reason: disconnect.reason, errors, got };
                """, namespace, shortLived, fresh);
        assertThat(outcome).containsEntry("first", false).containsEntry("reconnected", true)
                .containsEntry("code", 1008L).containsEntry("reason", "expired token");
        assertThat((Long) outcome.get("calls")).isGreaterThanOrEqualTo(2L);
        assertThat(outcome.get("errors")).as("an expiry the page can refresh is no error").isEqualTo(List.of());
        assertThat(outcome.get("got")).isEqualTo(List.of("before", "after"));
    }

    @Test
    void aWronglySignedTokenIsRefusedWith1008AndNotRetriedEvenFromATokenFunction() {
        String forged = token("this-is-not-the-server-secret-but-32-bytes-long", "mallory",
                Instant.now().plusSeconds(600), null);
        Map<String, Object> outcome = run("""
                const [namespace, forged] = args;
                const token = tokenFunction([forged]);
                const stream = sc.echo(namespace, { token, backoff: { initial: 50, max: 100 } });
                const error = next(stream, 'error');
                const closure = await next(stream, 'close');
                await pause(1000); // a retry would have come by now
                return { closeCode: closure.code, closeReason: closure.reason, errorCode: (await error).code,
                         errorReason: (await error).reason, calls: token.calls, state: stream.state };
                """, namespace, forged);
        assertThat(outcome).containsEntry("closeCode", 1008L).containsEntry("closeReason", "invalid token")
                .containsEntry("errorCode", 1008L).containsEntry("errorReason", "invalid token")
                .containsEntry("calls", 1L).containsEntry("state", "closed");
    }

    @Test
    void aTokenIsRefusedOnANamespaceItsClaimsLeaveOut() {
        String roomsOnly = token(SECRET, "bob", Instant.now().plusSeconds(600), Map.of("echo", List.of("room-*")));
        Map<String, Object> outcome = run("""
                const [namespace, roomsOnly] = args;
                const granted = sc.echo(namespace, { token: roomsOnly });
                await next(granted, 'open');
                granted.write('in my room');
                await next(granted, 'data');
                const refused = sc.echo('lobby-' + namespace, { token: roomsOnly, backoff: { initial: 50, max: 100 } });
                const error = next(refused, 'error');
                const closure = await next(refused, 'close');
                await pause(500);
                granted.end();
                return { code: closure.code, reason: closure.reason, errorCode: (await error).code,
                         state: refused.state, grantedState: granted.state };
                """, namespace, roomsOnly);
        assertThat(outcome).containsEntry("code", 1008L)
                .containsEntry("reason", "the token does not grant this namespace")
                .containsEntry("errorCode", 1008L).containsEntry("state", "closed");
    }

    @Test
    void iceServersAreFetchedWithTheTokenAsABearerTokenAndNameItsSubject() {
        String carol = token("carol", Duration.ofMinutes(10));
        Map<String, Object> outcome = run("""
                const [namespace, carol] = args;
                const iceFetches = [];
                const originalFetch = window.fetch;
                window.fetch = (input, init) => {
                  const url = String(input instanceof Request ? input.url : input);
                  if (url.includes('v1/ice-servers')) {
                    iceFetches.push(new Headers(init?.headers ?? {}).get('Authorization'));
                  }
                  return originalFetch(input, init);
                };
                const configs = [];
                const OriginalPeerConnection = window.RTCPeerConnection;
                window.RTCPeerConnection = function (config) {
                  configs.push(JSON.parse(JSON.stringify(config)));
                  return new OriginalPeerConnection(config);
                };
                window.RTCPeerConnection.prototype = OriginalPeerConnection.prototype;
                const anonymous = (await originalFetch(new URL('v1/ice-servers', document.baseURI), { cache: 'no-store' })).status;
                try {
                  const token = tokenFunction([carol]);
                  const channel = sc.SignalChannel(namespace, { token, iceServers: 'v1/ice-servers' });
                  const a = channel.createNode().listen('a');
                  const b = channel.createNode().listen('b');
                  await Promise.all([next(a, 'listening'), next(b, 'listening')]);
                  a.connect('b');
                  await until(() => configs.length === 2, 'both sides making their RTCPeerConnection');
                  a.close();
                  b.close();
                  return { anonymous, iceFetches, calls: token.calls,
                           servers: configs.map((config) => config.iceServers) };
                } finally {
                  window.fetch = originalFetch;
                  window.RTCPeerConnection = OriginalPeerConnection;
                }
                """, namespace, carol);
        assertThat(outcome).containsEntry("anonymous", 401L);
        assertThat(outcome.get("iceFetches")).isEqualTo(List.of("Bearer " + carol, "Bearer " + carol));
        // two signalling streams and two ICE fetches
        assertThat((Long) outcome.get("calls")).isGreaterThanOrEqualTo(4L);
        List<List<Map<String, Object>>> servers = (List<List<Map<String, Object>>>) outcome.get("servers");
        for (List<Map<String, Object>> side : servers) {
            assertThat(side).hasSize(1);
            assertThat(side.get(0).get("urls")).isEqualTo(List.of(TURN_URL));
            assertThat((String) side.get(0).get("username")).matches("[0-9]+:carol");
        }
    }
}
