package co.signalchannel.access;

import co.signalchannel.testing.LogCapture;
import com.nimbusds.jose.EncryptionMethod;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWEAlgorithm;
import com.nimbusds.jose.JWEHeader;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.DirectEncrypter;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.EncryptedJWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.logging.LogRecord;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

class TokenVerifierTest {

    static final Instant NOW = Instant.parse("2031-05-04T10:00:00Z");
    static final String SECRET = "a-shared-secret-of-at-least-32-bytes!";
    static final String OTHER_SECRET = "another-secret-also-32-bytes-or-more";
    static final String LONG_SECRET = "s".repeat(64);

    static final RSAKey RSA = generate(() -> new RSAKeyGenerator(2048).keyID("rsa-1").generate());
    static final RSAKey OTHER_RSA = generate(() -> new RSAKeyGenerator(2048).keyID("rsa-2").generate());
    static final ECKey EC = generate(() -> new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate());
    static final ECKey OTHER_EC = generate(() -> new ECKeyGenerator(Curve.P_256).keyID("ec-2").generate());

    @TempDir
    Path directory;

    interface Generator<T> {
        T generate() throws Exception;
    }

    static <T> T generate(Generator<T> generator) {
        try {
            return generator.generate();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Claims that pass: a subject, an expiry five minutes ahead. */
    static JWTClaimsSet.Builder claims() {
        return new JWTClaimsSet.Builder().subject("alice").expirationTime(Date.from(NOW.plus(Duration.ofMinutes(5))));
    }

    static String sign(JWSSigner signer, JWSAlgorithm algorithm, String kid, JWTClaimsSet claims) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(algorithm).keyID(kid).type(JOSEObjectType.JWT).build(), claims);
        jwt.sign(signer);
        return jwt.serialize();
    }

    static String hs256(String secret, String kid, JWTClaimsSet claims) throws Exception {
        return sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)), JWSAlgorithm.HS256, kid, claims);
    }

    static String hs256(JWTClaimsSet claims) throws Exception {
        return hs256(SECRET, null, claims);
    }

    static TokenVerifier hmac(String secrets) {
        return TokenVerifier.of(secrets, "", "").orElseThrow();
    }

    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    Path write(String name, String text) throws Exception {
        return Files.writeString(directory.resolve(name), text);
    }

    Path jwksFile(String name, com.nimbusds.jose.jwk.JWK... keys) throws Exception {
        return write(name, new JWKSet(List.of(keys)).toPublicJWKSet().toString());
    }

    static void assertRefused(TokenVerifier verifier, String token, String reason) {
        assertThatThrownBy(() -> verifier.verify(token, NOW))
                .isInstanceOf(TokenRefusedException.class)
                .hasMessage(reason);
    }

    static void assertInvalid(TokenVerifier verifier, String token) {
        assertRefused(verifier, token, "invalid token");
    }

    @Test
    void withNoAuthSettingTokensAreOff() {
        assertThat(TokenVerifier.of("", "", "")).isEmpty();
        assertThat(TokenVerifier.of(" ", "  ", "")).isEmpty();
    }

    @Test
    void anHmacTokenIsVerifiedAndGrantsWhatItsClaimsSay() throws Exception {
        Instant expires = NOW.plusSeconds(300);
        String token = hs256(claims().expirationTime(Date.from(expires))
                .claim("namespaces", Map.of("echo", List.of("room-*"), "relay", List.of("*"))).build());
        Grant grant = hmac(SECRET).verify(token, NOW);
        assertThat(grant.subject()).hasValue("alice");
        assertThat(grant.expires()).isEqualTo(expires);
        assertThat(grant.allows("echo", "room-1")).isTrue();
        assertThat(grant.allows("echo", "lobby")).isFalse();
        assertThat(grant.allows("relay", "x")).isTrue();
        assertThat(grant.allows("scuttlebutt", "room-1")).isFalse();
    }

    @Test
    void aTokenWithoutSubjectOrNamespacesGrantsEveryNamespaceAnonymously() throws Exception {
        Grant grant = hmac(SECRET).verify(hs256(new JWTClaimsSet.Builder()
                .expirationTime(Date.from(NOW.plusSeconds(60))).build()), NOW);
        assertThat(grant.subject()).isEmpty();
        assertThat(grant.namespaces()).isEmpty();
        assertThat(grant.allows("scuttlebutt", "anything")).isTrue();
    }

    @Test
    void hs384AndHs512AreVerifiedToo() throws Exception {
        TokenVerifier verifier = hmac(LONG_SECRET);
        MACSigner signer = new MACSigner(LONG_SECRET.getBytes(StandardCharsets.UTF_8));
        assertThat(verifier.verify(sign(signer, JWSAlgorithm.HS384, null, claims().build()), NOW).subject()).hasValue("alice");
        assertThat(verifier.verify(sign(signer, JWSAlgorithm.HS512, null, claims().build()), NOW).subject()).hasValue("alice");
    }

    @Test
    void aKidPicksItsSecretSoOldAndNewAreBothValidWhileBothAreConfigured() throws Exception {
        TokenVerifier both = hmac("old=" + SECRET + ", new=" + OTHER_SECRET);
        String old = hs256(SECRET, "old", claims().subject("old-holder").build());
        String current = hs256(OTHER_SECRET, "new", claims().subject("new-holder").build());
        assertThat(both.verify(old, NOW).subject()).hasValue("old-holder");
        assertThat(both.verify(current, NOW).subject()).hasValue("new-holder");
        assertInvalid(both, hs256(SECRET, "new", claims().build()));
        assertInvalid(both, hs256(OTHER_SECRET, "old", claims().build()));
        assertInvalid(both, hs256(SECRET, "unknown", claims().build()));

        TokenVerifier retired = hmac("new=" + OTHER_SECRET);
        assertInvalid(retired, old);
        assertThat(retired.verify(current, NOW).subject()).hasValue("new-holder");
    }

    @Test
    void aTokenWithoutAKidIsTriedAgainstEverySecret() throws Exception {
        TokenVerifier both = hmac("old=" + SECRET + "," + OTHER_SECRET);
        assertThat(both.verify(hs256(SECRET, null, claims().build()), NOW)).isNotNull();
        assertThat(both.verify(hs256(OTHER_SECRET, null, claims().build()), NOW)).isNotNull();
    }

    @Test
    void aBareSecretVerifiesATokenWhateverItsKid() throws Exception {
        TokenVerifier verifier = hmac("new=" + OTHER_SECRET + "," + SECRET);
        assertThat(verifier.verify(hs256(SECRET, "issuer-2024", claims().build()), NOW)).isNotNull();
        assertInvalid(verifier, hs256(LONG_SECRET, "issuer-2024", claims().build()));
    }

    @Test
    void aBareSecretEndingInBase64PaddingIsNoKid() throws Exception {
        String padded = Base64.getEncoder().encodeToString("thirty-two bytes of secret, or 3".getBytes(StandardCharsets.UTF_8));
        assertThat(padded).endsWith("=");
        assertThat(hmac(padded).verify(hs256(padded, null, claims().build()), NOW)).isNotNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"short", "kid=short", "k=" + "1234567890123456789012345678901", "a," + SECRET})
    void anHmacSecretShorterThan32BytesStopsTheServerWithoutShowingIt(String secrets) {
        assertThatThrownBy(() -> TokenVerifier.of(secrets, "", ""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 32 bytes")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("short").doesNotContain("1234567890"));
    }

    @Test
    void anRsaTokenIsVerifiedWithAPemPublicKey() throws Exception {
        Path pem = write("keys.pem", pem("PUBLIC KEY", RSA.toRSAPublicKey().getEncoded()));
        TokenVerifier verifier = TokenVerifier.of("", pem.toString(), "").orElseThrow();
        RSASSASigner signer = new RSASSASigner(RSA);
        for (JWSAlgorithm algorithm : List.of(JWSAlgorithm.RS256, JWSAlgorithm.RS512, JWSAlgorithm.PS256)) {
            assertThat(verifier.verify(sign(signer, algorithm, null, claims().build()), NOW).subject())
                    .as(algorithm.getName()).hasValue("alice");
        }
        assertInvalid(verifier, sign(new RSASSASigner(OTHER_RSA), JWSAlgorithm.RS256, null, claims().build()));
    }

    @Test
    void aTokenNamingAKidIsVerifiedWithAPemKeyWhichCannotHaveOne() throws Exception {
        // Issuers (Keycloak, Auth0, Azure AD...) put a kid on every token; a PEM file has no way to name one.
        Path pem = write("keys.pem", pem("PUBLIC KEY", RSA.toRSAPublicKey().getEncoded()));
        TokenVerifier verifier = TokenVerifier.of("", pem.toString(), "").orElseThrow();
        assertThat(verifier.verify(sign(new RSASSASigner(RSA), JWSAlgorithm.RS256, "rsa-1", claims().build()), NOW)
                .subject()).hasValue("alice");
        assertInvalid(verifier, sign(new RSASSASigner(OTHER_RSA), JWSAlgorithm.RS256, "rsa-1", claims().build()));
    }

    @Test
    void aPemFileMayHoldSeveralKeysRsaAndEc() throws Exception {
        Path pem = write("keys.pem", pem("PUBLIC KEY", RSA.toRSAPublicKey().getEncoded()) + "\r\n"
                + pem("PUBLIC KEY", EC.toECPublicKey().getEncoded()));
        TokenVerifier verifier = TokenVerifier.of("", pem.toString(), "").orElseThrow();
        assertThat(verifier.verify(sign(new RSASSASigner(RSA), JWSAlgorithm.RS256, null, claims().build()), NOW)).isNotNull();
        assertThat(verifier.verify(sign(new ECDSASigner(EC), JWSAlgorithm.ES256, null, claims().build()), NOW)).isNotNull();
        assertInvalid(verifier, sign(new ECDSASigner(OTHER_EC), JWSAlgorithm.ES256, null, claims().build()));
    }

    @Test
    void anRsaTokenIsVerifiedWithTheKeyOfAPemCertificate() throws Exception {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        assumeThat(Files.isExecutable(keytool)).as("keytool in the JDK").isTrue();
        Path store = directory.resolve("issuer.p12");
        Path certificate = directory.resolve("issuer.pem");
        run(keytool.toString(), "-genkeypair", "-alias", "issuer", "-keyalg", "RSA", "-keysize", "2048",
                "-dname", "CN=issuer", "-validity", "2", "-storetype", "PKCS12", "-keystore", store.toString(),
                "-storepass", "changeit", "-keypass", "changeit");
        run(keytool.toString(), "-exportcert", "-rfc", "-alias", "issuer", "-keystore", store.toString(),
                "-storepass", "changeit", "-file", certificate.toString());
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(store)) {
            keys.load(in, "changeit".toCharArray());
        }
        PrivateKey privateKey = (PrivateKey) keys.getKey("issuer", "changeit".toCharArray());
        TokenVerifier verifier = TokenVerifier.of("", certificate.toString(), "").orElseThrow();
        assertThat(verifier.verify(sign(new RSASSASigner(privateKey), JWSAlgorithm.RS256, null, claims().build()), NOW)
                .subject()).hasValue("alice");
        assertInvalid(verifier, sign(new RSASSASigner(RSA), JWSAlgorithm.RS256, null, claims().build()));
    }

    static void run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
    }

    @Test
    void anEcTokenIsVerifiedWithAJwksKeyChosenByKid() throws Exception {
        Path jwks = jwksFile("keys.json", EC, OTHER_EC, RSA);
        TokenVerifier verifier = TokenVerifier.of("", "", jwks.toString()).orElseThrow();
        assertThat(verifier.verify(sign(new ECDSASigner(EC), JWSAlgorithm.ES256, "ec-1", claims().build()), NOW)
                .subject()).hasValue("alice");
        assertThat(verifier.verify(sign(new ECDSASigner(OTHER_EC), JWSAlgorithm.ES256, "ec-2", claims().build()), NOW)
                .subject()).hasValue("alice");
        assertThat(verifier.verify(sign(new RSASSASigner(RSA), JWSAlgorithm.RS256, "rsa-1", claims().build()), NOW)
                .subject()).hasValue("alice");
        assertInvalid(verifier, sign(new ECDSASigner(EC), JWSAlgorithm.ES256, "ec-2", claims().build()));
        assertInvalid(verifier, sign(new ECDSASigner(EC), JWSAlgorithm.ES256, "ec-9", claims().build()));
    }

    @Test
    void anEcKeyGeneratedByTheJdkWorksThroughPem() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp384r1"));
        KeyPair pair = generator.generateKeyPair();
        Path pem = write("p384.pem", pem("PUBLIC KEY", pair.getPublic().getEncoded()));
        TokenVerifier verifier = TokenVerifier.of("", pem.toString(), "").orElseThrow();
        String token = sign(new ECDSASigner((ECPrivateKey) pair.getPrivate()), JWSAlgorithm.ES384, null, claims().build());
        assertThat(verifier.verify(token, NOW).subject()).hasValue("alice");
    }

    @Test
    void aReplacedJwksFileIsReadAgainSoKeysRotateWithoutARestart() throws Exception {
        Path jwks = jwksFile("keys.json", EC);
        FileTime first = FileTime.from(NOW);
        Files.setLastModifiedTime(jwks, first);
        TokenVerifier verifier = TokenVerifier.of("", "", jwks.toString()).orElseThrow();
        String old = sign(new ECDSASigner(EC), JWSAlgorithm.ES256, "ec-1", claims().build());
        String current = sign(new ECDSASigner(OTHER_EC), JWSAlgorithm.ES256, "ec-2", claims().build());
        assertThat(verifier.verify(old, NOW)).isNotNull();
        assertInvalid(verifier, current);

        // A replacement that does not parse leaves the keys as they were.
        Files.writeString(jwks, "{\"keys\": [");
        Files.setLastModifiedTime(jwks, FileTime.from(NOW.plusSeconds(10)));
        Thread.sleep(1_100);
        assertThat(verifier.verify(old, NOW)).isNotNull();

        jwksFile("keys.json", OTHER_EC);
        Files.setLastModifiedTime(jwks, FileTime.from(NOW.plusSeconds(20)));
        Thread.sleep(1_100);
        assertThat(verifier.verify(current, NOW)).isNotNull();
        assertInvalid(verifier, old);
    }

    @Test
    void aKeyFileThatCannotBeReadAtStartStopsTheServer() throws Exception {
        assertThatThrownBy(() -> TokenVerifier.of("", directory.resolve("missing.pem").toString(), ""))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("missing.pem");
        Path notJson = write("keys.json", "not json");
        assertThatThrownBy(() -> TokenVerifier.of("", "", notJson.toString()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("keys.json");
        Path noKey = write("empty.pem", "nothing here");
        assertThatThrownBy(() -> TokenVerifier.of("", noKey.toString(), ""))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no PUBLIC KEY");
        PrivateKey privateKey = RSA.toPrivateKey();
        Path privatePem = write("private.pem", pem("PRIVATE KEY", privateKey.getEncoded()));
        assertThatThrownBy(() -> TokenVerifier.of("", privatePem.toString(), ""))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PRIVATE KEY block is not a public key")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(Base64.getEncoder()
                        .encodeToString(privateKey.getEncoded()).substring(0, 40)));
    }

    @Test
    void anExpiredTokenIsRefusedAsExpiredFromTheSecondOfItsExp() throws Exception {
        TokenVerifier verifier = hmac(SECRET);
        assertRefused(verifier, hs256(claims().expirationTime(Date.from(NOW.minusSeconds(3600))).build()), "expired token");
        assertRefused(verifier, hs256(claims().expirationTime(Date.from(NOW)).build()), "expired token");
        assertThat(verifier.verify(hs256(claims().expirationTime(Date.from(NOW.plusSeconds(1))).build()), NOW)).isNotNull();
    }

    @Test
    void anExpiredTokenWithABadSignatureIsInvalidNotExpired() throws Exception {
        String token = hs256(OTHER_SECRET, null, claims().expirationTime(Date.from(NOW.minusSeconds(1))).build());
        assertInvalid(hmac(SECRET), token);
    }

    @Test
    void aTokenWithoutExpIsInvalid() throws Exception {
        assertInvalid(hmac(SECRET), hs256(new JWTClaimsSet.Builder().subject("alice").build()));
    }

    @Test
    void notBeforeIsHonouredWithThirtySecondsOfLeeway() throws Exception {
        TokenVerifier verifier = hmac(SECRET);
        assertThat(verifier.verify(hs256(claims().notBeforeTime(Date.from(NOW.minusSeconds(60))).build()), NOW)).isNotNull();
        assertThat(verifier.verify(hs256(claims().notBeforeTime(Date.from(NOW.plusSeconds(30))).build()), NOW)).isNotNull();
        assertInvalid(verifier, hs256(claims().notBeforeTime(Date.from(NOW.plusSeconds(31))).build()));
        assertInvalid(verifier, hs256(claims().notBeforeTime(Date.from(NOW.plus(Duration.ofDays(1)))).build()));
    }

    @Test
    void aTokenSignedWithAnotherSecretOrTamperedWithIsInvalid() throws Exception {
        TokenVerifier verifier = hmac(SECRET);
        assertInvalid(verifier, hs256(OTHER_SECRET, null, claims().build()));
        String[] parts = hs256(claims().build()).split("\\.");
        String otherPayload = Base64URL.encode(claims().subject("mallory").build().toString()).toString();
        assertInvalid(verifier, parts[0] + "." + otherPayload + "." + parts[2]);
        assertInvalid(verifier, parts[0] + "." + parts[1] + ".");
        assertInvalid(verifier, parts[0] + "." + parts[1]);
    }

    @Test
    void anUnsignedTokenIsInvalid() throws Exception {
        String plain = new PlainJWT(claims().build()).serialize();
        assertThat(plain).endsWith(".");
        assertInvalid(hmac(SECRET), plain);
        // The same, with "alg": "none" spelt by hand and a stolen signature.
        String[] signed = hs256(claims().build()).split("\\.");
        String none = Base64URL.encode("{\"alg\":\"none\",\"typ\":\"JWT\"}").toString();
        assertInvalid(hmac(SECRET), none + "." + signed[1] + "." + signed[2]);
        assertInvalid(hmac(SECRET), none + "." + signed[1] + ".");
    }

    @Test
    void anEncryptedTokenIsInvalid() throws Exception {
        EncryptedJWT jwt = new EncryptedJWT(new JWEHeader(JWEAlgorithm.DIR, EncryptionMethod.A256GCM), claims().build());
        jwt.encrypt(new DirectEncrypter(SECRET.substring(0, 32).getBytes(StandardCharsets.UTF_8)));
        assertInvalid(hmac(SECRET), jwt.serialize());
    }

    @Test
    void anHmacTokenKeyedWithTheRsaPublicKeyIsInvalid() throws Exception {
        // Algorithm confusion: the public key is public, so whoever could sign HS256 with it could forge anything.
        String pemText = pem("PUBLIC KEY", RSA.toRSAPublicKey().getEncoded());
        Path pem = write("keys.pem", pemText);
        TokenVerifier rsaOnly = TokenVerifier.of("", pem.toString(), "").orElseThrow();
        TokenVerifier rsaAndHmac = TokenVerifier.of(SECRET, pem.toString(), jwksFile("keys.json", RSA).toString())
                .orElseThrow();
        List<byte[]> publicBytes = List.of(RSA.toRSAPublicKey().getEncoded(), pemText.getBytes(StandardCharsets.US_ASCII),
                RSA.toPublicJWK().toJSONString().getBytes(StandardCharsets.UTF_8));
        for (byte[] bytes : publicBytes) {
            for (String kid : new String[]{null, "rsa-1"}) {
                String forged = sign(new MACSigner(bytes), JWSAlgorithm.HS256, kid, claims().build());
                assertInvalid(rsaOnly, forged);
                assertInvalid(rsaAndHmac, forged);
            }
        }
    }

    @Test
    void anRsaTokenIsNotCheckedAgainstAnHmacSecret() throws Exception {
        TokenVerifier verifier = hmac(SECRET);
        assertInvalid(verifier, sign(new RSASSASigner(RSA), JWSAlgorithm.RS256, null, claims().build()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", ".", "..", "...", "a.b.c", "not a token", "eyJ.eyJ.sig", "eyJhbGciOiJIUzI1NiJ9..",
            "{\"alg\":\"HS256\"}", "\u0000\u0001", "eyJhbGciOiJIUzI1NiJ9.e30.c2ln.extra"})
    void garbageIsInvalid(String garbage) {
        assertInvalid(hmac(SECRET), garbage);
    }

    @Test
    void aNamespacesClaimThatIsNoObjectOfArraysOfStringsIsInvalid() throws Exception {
        TokenVerifier verifier = hmac(SECRET);
        List<Object> wrong = new ArrayList<>(List.of("room-*", List.of("room-*"), 42, true,
                Map.of("echo", "room-*"), Map.of("echo", List.of(1)), Map.of("echo", List.of("a", List.of("b"))),
                Map.of("echo", Map.of("room", true))));
        for (Object claim : wrong) {
            assertInvalid(verifier, hs256(claims().claim("namespaces", claim).build()));
        }
        java.util.List<String> withNull = new ArrayList<>();
        withNull.add(null);
        assertInvalid(verifier, hs256(claims().claim("namespaces", Map.of("echo", withNull)).build()));
        assertThat(verifier.verify(hs256(claims().claim("namespaces", Map.of()).build()), NOW).allows("echo", "x"))
                .as("an empty object grants nothing").isFalse();
    }

    @Test
    void aSubjectLongerThan256CharactersEmptyOrWithControlCharactersIsInvalid() throws Exception {
        TokenVerifier verifier = hmac(SECRET);
        assertThat(verifier.verify(hs256(claims().subject("s".repeat(256)).build()), NOW).subject())
                .hasValue("s".repeat(256));
        assertInvalid(verifier, hs256(claims().subject("s".repeat(257)).build()));
        assertInvalid(verifier, hs256(claims().subject("").build()));
        assertInvalid(verifier, hs256(claims().subject("alice\nINFO forged log line").build()));
        assertInvalid(verifier, hs256(claims().subject("alice\u0000").build()));
        assertInvalid(verifier, hs256(claims().claim("sub", Map.of("name", "alice")).build()));
        assertInvalid(verifier, hs256(claims().claim("exp", "tomorrow").build()));
    }

    @Test
    void whateverFailsTheClientIsToldOnlyInvalidOrExpiredAndTheLogNeverHoldsTheToken() throws Exception {
        TokenVerifier verifier = TokenVerifier.of(SECRET, "", jwksFile("keys.json", EC).toString()).orElseThrow();
        List<String> tokens = List.of(
                hs256(OTHER_SECRET, null, claims().build()),
                hs256(OTHER_SECRET, "kid", claims().build()),
                hs256(claims().expirationTime(Date.from(NOW.minusSeconds(1))).build()),
                hs256(claims().notBeforeTime(Date.from(NOW.plusSeconds(3600))).build()),
                hs256(new JWTClaimsSet.Builder().subject("alice").build()),
                hs256(claims().claim("namespaces", "x").build()),
                hs256(claims().subject("x".repeat(300)).build()),
                sign(new ECDSASigner(OTHER_EC), JWSAlgorithm.ES256, "ec-1", claims().build()),
                sign(new MACSigner(EC.toPublicJWK().toJSONString()), JWSAlgorithm.HS256, "ec-1", claims().build()),
                new PlainJWT(claims().build()).serialize(),
                "eyJhbGciOiJIUzI1NiJ9.bm90IGpzb24gYXQgYWxs.c2lnbmF0dXJl");
        List<LogRecord> records;
        try (LogCapture log = new LogCapture()) {
            for (String token : tokens) {
                assertThatThrownBy(() -> verifier.verify(token, NOW))
                        .isInstanceOf(TokenRefusedException.class)
                        .satisfies(e -> assertThat(e.getMessage()).isIn("invalid token", "expired token")
                                .doesNotContain(token.substring(0, 10)))
                        .hasNoCause();
            }
            records = log.records();
        }
        assertThat(records).as("a FINE line per refusal").hasSizeGreaterThanOrEqualTo(tokens.size());
        for (LogRecord record : records) {
            String line = record.getMessage();
            for (String token : tokens) {
                for (String part : token.split("\\.")) {
                    if (part.length() >= 8) {
                        assertThat(line).doesNotContain(part);
                    }
                }
            }
            assertThat(line).doesNotContain(SECRET).doesNotContain(OTHER_SECRET);
        }
    }
}
