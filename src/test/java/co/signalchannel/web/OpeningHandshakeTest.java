package co.signalchannel.web;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class OpeningHandshakeTest {

    /** A handshake as a browser sends it, to be spoiled one part at a time. */
    final Map<String, List<String>> headers = new HashMap<>(Map.of(
            "upgrade", List.of("websocket"),
            "connection", List.of("Upgrade"),
            "sec-websocket-key", List.of("dGhlIHNhbXBsZSBub25jZQ=="),
            "sec-websocket-version", List.of("13")));

    OpeningHandshake handshake(String method, String protocol, String path) {
        return new OpeningHandshake(method, protocol, name -> headers.getOrDefault(name.toLowerCase(Locale.ROOT), List.of()), path);
    }

    OpeningHandshake handshake(String path) {
        return handshake("GET", "HTTP/1.1", path);
    }

    @Test
    void aBrowsersHandshakeGoesThrough() {
        assertThat(handshake("/v1/echo/salle%20%C3%A0%20manger").refusal()).isEmpty();
        headers.put("connection", List.of("keep-alive, Upgrade"));
        headers.put("upgrade", List.of("WebSocket"));
        assertThat(OpeningHandshake.isRequested(name -> headers.getOrDefault(name.toLowerCase(Locale.ROOT), List.of()))).isTrue();
        assertThat(handshake("/v1/relay/a.b").refusal()).isEmpty();
        assertThat(handshake("GET", "HTTP/2.0", "/v1/scuttlebutt/x").refusal()).isEmpty();
    }

    @Test
    void onlyRequestsNamingWebsocketInUpgradeAreHandshakes() {
        assertThat(OpeningHandshake.isRequested(name -> List.of())).isFalse();
        assertThat(OpeningHandshake.isRequested(name -> name.equals("Upgrade") ? List.of("h2c") : List.of())).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"POST", "PUT", "HEAD", "OPTIONS", "BREW"})
    void otherMethodsThanGetAre405WithAllow(String method) {
        assertThat(handshake(method, "HTTP/1.1", "/v1/echo/a").refusal()).hasValueSatisfying(refusal -> {
            assertThat(refusal.status()).isEqualTo(405);
            assertThat(refusal.headers()).containsEntry("Allow", "GET");
            assertThat(refusal.message()).contains("must be a GET request, not " + method);
        });
    }

    @Test
    void http10Is400() {
        assertThat(handshake("GET", "HTTP/1.0", "/v1/echo/a").refusal()).hasValueSatisfying(refusal -> {
            assertThat(refusal.status()).isEqualTo(400);
            assertThat(refusal.message()).contains("HTTP/1.1 or later, not HTTP/1.0");
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "close", "keep-alive", "upgraded"})
    void aConnectionHeaderWithoutUpgradeIs400(String connection) {
        headers.put("connection", connection.isEmpty() ? List.of() : List.of(connection));
        assertThat(handshake("/v1/echo/a").refusal()).hasValueSatisfying(refusal -> {
            assertThat(refusal.status()).isEqualTo(400);
            assertThat(refusal.message()).contains("Connection header holding \"Upgrade\"");
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "not base64!!", "YWJj", "dGhlIHNhbXBsZSBub25jZQ", "AAAAAAAAAAAAAAAAAAAAAAAAAAAA", "-"})
    void aKeyThatIsNotSixteenBytesOfBase64Is400(String key) {
        headers.put("sec-websocket-key", key.equals("-") ? List.of() : List.of(key));
        assertThat(handshake("/v1/echo/a").refusal()).hasValueSatisfying(refusal -> {
            assertThat(refusal.status()).isEqualTo(400);
            assertThat(refusal.message()).contains("Sec-WebSocket-Key");
        });
    }

    @Test
    void twoKeysAre400() {
        headers.put("sec-websocket-key", List.of("dGhlIHNhbXBsZSBub25jZQ==", "dGhlIHNhbXBsZSBub25jZQ=="));
        assertThat(handshake("/v1/echo/a").refusal()).hasValueSatisfying(refusal -> assertThat(refusal.status()).isEqualTo(400));
    }

    @ParameterizedTest
    @ValueSource(strings = {"8", "", "-"})
    void anotherVersionIs400NamingVersion13(String version) {
        headers.put("sec-websocket-version", version.equals("-") ? List.of() : List.of(version));
        assertThat(handshake("/v1/echo/a").refusal()).hasValueSatisfying(refusal -> {
            assertThat(refusal.status()).isEqualTo(400);
            assertThat(refusal.headers()).containsEntry("Sec-WebSocket-Version", "13").doesNotContainKey("Upgrade");
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"/v1/echo/a\"b", "/v1/echo/a b", "/v1/echo/a<b", "/v1/echo/é", "/v1/echo/a\\b", "/v1/echo/a{b}"})
    void rawCharactersThatMustBePercentEncodedAre400(String path) {
        assertThat(handshake(path).refusal()).hasValueSatisfying(refusal -> {
            assertThat(refusal.status()).isEqualTo(400);
            assertThat(refusal.message()).contains("must be percent-encoded");
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"/v1/echo/.", "/v1/echo/..", "/v1/scuttlebutt/...", "/v1/relay/%2E%2e", "/v1/echo/a%2Fb",
            "/v1/echo/a/b", "/v1/echo/a%5Cb", "/v1/echo/a%00b", "/v1/echo/%01", "/v1/echo/a%C2%85"})
    void namespacesTheRuleForbidsAre400(String path) {
        assertThat(handshake(path).refusal()).hasValueSatisfying(refusal -> {
            assertThat(refusal.status()).isEqualTo(400);
            assertThat(refusal.message()).contains("is not allowed: a namespace name must not");
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"/v1/echo/%", "/v1/echo/a%2", "/v1/echo/%zz", "/v1/echo/%C3", "/v1/echo/%FF"})
    void namespacesThatAreNotPercentEncodedUtf8Are400(String path) {
        assertThat(handshake(path).refusal()).hasValueSatisfying(refusal -> {
            assertThat(refusal.status()).isEqualTo(400);
            assertThat(refusal.message()).contains("is not percent-encoded UTF-8");
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"/v1/echo", "/v1/echo/", "/v1/stats/echo/..", "/v2/echo/..", "/v1/ice-servers"})
    void pathsThatNameNoNamespaceAreLeftToTheContainer(String path) {
        assertThat(handshake(path).refusal()).isEmpty();
    }
}
