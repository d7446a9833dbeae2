package co.signalchannel.access;

import co.signalchannel.config.TextSetting;
import co.signalchannel.testing.Deployments;
import co.signalchannel.testing.Endpoints;
import co.signalchannel.testing.TestClient;
import co.signalchannel.testing.Tokens;
import co.signalchannel.testing.Waiting;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Signed tokens in a real container: a session presents its token as the subprotocol
 * {@code signal-channel.token.<jwt>}; without a valid one, or outside its namespace claims, the
 * session opens and is closed at once with 1008 and a reason that says no more than "invalid
 * token" or "expired token"; a token that expires while its session is open closes it; keys
 * rotate by {@code kid}, in the settings and in a JWKS file replaced on disk.
 */
@ExtendWith(ArquillianExtension.class)
class TokensIT {

    static final String SECRET_1 = "the first secret: 32 bytes or more";
    static final String SECRET_2 = "the second secret: 32 bytes or more";
    static final Path JWKS = Path.of("target/it-keys/tokens-jwks.json").toAbsolutePath();
    static final ECKey FIRST_EC = generate("ec-1");

    @Deployment(testable = false)
    static WebArchive deployment() throws IOException {
        Files.createDirectories(JWKS.getParent());
        Files.writeString(JWKS, new JWKSet(FIRST_EC.toPublicJWK()).toString());
        return Deployments.signalChannel("tokens", Map.of(), Map.of(
                TextSetting.AUTH_HMAC_SECRETS, "k1=" + SECRET_1 + ",k2=" + SECRET_2,
                TextSetting.AUTH_JWKS, JWKS.toString(),
                TextSetting.TURN_SECRET, "turn-secret",
                TextSetting.TURN_URLS, "turn:127.0.0.1:3478"));
    }

    final Endpoints endpoints = Endpoints.deployed("tokens");

    static Tokens k1() {
        return Tokens.signedWith("k1", SECRET_1);
    }

    @Test
    void aValidTokenOpensTheSessionTheServerChoosesTheSubprotocolAndStatsNameItsSubject() throws Exception {
        try (TestClient alice = TestClient.to(endpoints.ws("echo", "valid")).token(k1().subject("alice").mint()).connect()) {
            assertThat(alice.subprotocol()).isEqualTo("signal-channel");
            alice.send("hello");
            assertThat(alice.nextText()).isEqualTo("hello");
            assertThat(endpoints.stats().getJsonObject("subjects").getInt("alice")).isEqualTo(1);
        }
    }

    @Test
    void aSessionWithoutATokenIsClosedWith1008TokenRequired() throws Exception {
        assertRefused(TestClient.to(endpoints.ws("echo", "none")).connect(), "token required");
    }

    @Test
    void badWronglySignedAndNotYetValidTokensAreAllJustInvalid() throws Exception {
        String unknownKid = Tokens.signedWith("k3", SECRET_1).mint();
        String wrongSecret = Tokens.signedWith("k1", SECRET_2).mint();
        String noKidWrongSecret = Tokens.signedWith(null, "a secret nobody configured, 32 bytes").mint();
        String notYetValid = k1().notBefore(Instant.now().plus(Duration.ofHours(1))).mint();
        String noExpiry = k1().expires(null).mint();
        for (String token : List.of("garbage", "a.b.c", unknownKid, wrongSecret, noKidWrongSecret, notYetValid, noExpiry)) {
            assertRefused(TestClient.to(endpoints.ws("echo", "bad")).token(token).connect(), "invalid token");
        }
    }

    @Test
    void anExpiredTokenIsRefusedAsExpired() throws Exception {
        String expired = k1().expires(Instant.now().minusSeconds(5)).mint();
        assertRefused(TestClient.to(endpoints.ws("scuttlebutt", "expired")).token(expired).connect(), "expired token");
    }

    @Test
    void aNamespaceOutsideTheTokensClaimsIsRefusedAndOneInsideOpens() throws Exception {
        String token = k1().namespaces(Map.of("echo", List.of("room-*"), "relay", List.of("*"))).mint();
        try (TestClient inside = TestClient.to(endpoints.ws("echo", "room-7")).token(token).connect()) {
            inside.send("in");
            assertThat(inside.nextText()).isEqualTo("in");
        }
        assertRefused(TestClient.to(endpoints.ws("echo", "lobby")).token(token).connect(),
                "the token does not grant this namespace");
        assertRefused(TestClient.to(endpoints.ws("scuttlebutt", "room-7")).token(token).connect(),
                "the token does not grant this namespace");
    }

    @Test
    void tokensOfEitherConfiguredKidAreValid() throws Exception {
        for (String token : List.of(k1().mint(), Tokens.signedWith("k2", SECRET_2).mint())) {
            try (TestClient client = TestClient.to(endpoints.ws("echo", "kids")).token(token).connect()) {
                client.send("ok");
                assertThat(client.nextText()).isEqualTo("ok");
            }
        }
    }

    @Test
    void aKeyAddedToTheJwksFileIsTakenWithoutARestartAndARemovedOneStopsWorking() throws Exception {
        assertOpens(ec(FIRST_EC));
        ECKey second = generate("ec-2");
        Files.writeString(JWKS, new JWKSet(second.toPublicJWK()).toString());
        Files.setLastModifiedTime(JWKS, FileTime.from(Instant.now().plusSeconds(2)));
        Waiting.until(() -> opens(ec(second)));
        assertRefused(TestClient.to(endpoints.ws("echo", "jwks")).token(ec(FIRST_EC)).connect(), "invalid token");
    }

    @Test
    void aTokenThatExpiresWhileItsSessionIsOpenClosesItWith1008ExpiredToken() throws Exception {
        String shortLived = k1().expires(Instant.now().plusSeconds(3)).mint();
        try (TestClient client = TestClient.to(endpoints.ws("echo", "short")).token(shortLived).connect()) {
            client.send("before");
            assertThat(client.nextText()).isEqualTo("before");
            assertThat(client.awaitClose()).isEqualTo(new TestClient.Close(1008, "expired token"));
        }
    }

    @Test
    void iceServersNeedABearerTokenAndNameItsSubjectInTheTurnUser() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(endpoints.http("v1/ice-servers")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.headers().firstValue("WWW-Authenticate")).contains("Bearer error=\"invalid_token\"");
        assertThat(json(anonymous.body()).getString("error")).isEqualTo("token required");

        HttpResponse<String> bad = http.send(HttpRequest.newBuilder(endpoints.http("v1/ice-servers"))
                .header("Authorization", "Bearer " + Tokens.signedWith("k1", SECRET_2).mint()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(bad.statusCode()).isEqualTo(401);
        assertThat(json(bad.body()).getString("error")).isEqualTo("invalid token");

        HttpResponse<String> bob = http.send(HttpRequest.newBuilder(endpoints.http("v1/ice-servers"))
                .header("Authorization", "Bearer " + k1().subject("bob").mint()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(bob.statusCode()).isEqualTo(200);
        assertThat(Json.createReader(new StringReader(bob.body())).readArray().getJsonObject(0).getString("username"))
                .endsWith(":bob");
    }

    private static JsonObject json(String body) {
        return Json.createReader(new StringReader(body)).readObject();
    }

    private void assertRefused(TestClient client, String reason) throws Exception {
        try (client) {
            assertThat(client.awaitClose()).isEqualTo(new TestClient.Close(1008, reason));
        }
    }

    private void assertOpens(String token) throws Exception {
        assertThat(opens(token)).isTrue();
    }

    private boolean opens(String token) throws Exception {
        try (TestClient client = TestClient.to(endpoints.ws("echo", "jwks")).token(token).connect()) {
            client.send("probe");
            return "probe".equals(client.poll(Duration.ofSeconds(5)));
        } catch (AssertionError closedBeforeTheProbe) { // TestClient.send asserts the session is open
            return false;
        }
    }

    private static ECKey generate(String kid) {
        try {
            return new ECKeyGenerator(Curve.P_256).keyID(kid).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String ec(ECKey key) throws JOSEException {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID()).build(),
                new JWTClaimsSet.Builder().subject("carol").expirationTime(Date.from(Instant.now().plusSeconds(300))).build());
        jwt.sign(new ECDSASigner(key));
        return jwt.serialize();
    }
}
