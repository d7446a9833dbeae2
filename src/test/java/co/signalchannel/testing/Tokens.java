package co.signalchannel.testing;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;

/** Mints HS256 tokens as an application backend would, for the tests of tokens. */
public final class Tokens {

    private final String kid;
    private final byte[] secret;
    private String subject = "alice";
    private Instant expires = Instant.now().plus(Duration.ofMinutes(5));
    private Instant notBefore;
    private Map<String, List<String>> namespaces;

    private Tokens(String kid, String secret) {
        this.kid = kid;
        this.secret = secret.getBytes(StandardCharsets.UTF_8);
    }

    /** Tokens signed with {@code secret} and naming {@code kid} (null: no kid). */
    public static Tokens signedWith(String kid, String secret) {
        return new Tokens(kid, secret);
    }

    public Tokens subject(String subject) {
        this.subject = subject;
        return this;
    }

    public Tokens expires(Instant expires) {
        this.expires = expires;
        return this;
    }

    public Tokens notBefore(Instant notBefore) {
        this.notBefore = notBefore;
        return this;
    }

    public Tokens namespaces(Map<String, List<String>> namespaces) {
        this.namespaces = namespaces;
        return this;
    }

    public String mint() {
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().subject(subject);
        if (expires != null) {
            claims.expirationTime(Date.from(expires));
        }
        if (notBefore != null) {
            claims.notBeforeTime(Date.from(notBefore));
        }
        if (namespaces != null) {
            claims.claim("namespaces", namespaces);
        }
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(kid).build(), claims.build());
        try {
            jwt.sign(new MACSigner(secret));
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        return jwt.serialize();
    }
}
