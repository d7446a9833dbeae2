package co.signalchannel.ice;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

/**
 * Time-limited TURN credentials in coturn's {@code use-auth-secret} scheme (the "REST API" of
 * draft-uberti-behave-turn-rest): the username is {@code <expiry>:<id>}, expiry in seconds since
 * the epoch, and the password is the base64 HMAC-SHA1 of the username keyed with the secret the
 * TURN server shares ({@code static-auth-secret}). The TURN server checks both without asking us;
 * a credential stops working at its expiry, and nobody can make one without the secret.
 *
 * @param urls     the TURN server's URLs, e.g. {@code turn:turn.example.org:3478?transport=udp}
 * @param secret   the shared secret
 * @param lifetime how long a credential is valid from the moment it is issued
 */
public record TurnCredentials(List<String> urls, String secret, Duration lifetime) {

    /** One credential for one client: an {@code RTCIceServer}. */
    public record Credential(List<String> urls, String username, String credential, Instant expires) {
    }

    public TurnCredentials {
        urls = List.copyOf(urls);
        if (urls.isEmpty()) {
            throw new IllegalArgumentException("TURN credentials need at least one TURN URL");
        }
        if (secret.isEmpty()) {
            throw new IllegalArgumentException("TURN credentials need the secret the TURN server shares");
        }
    }

    /**
     * A credential for {@code id} (the token's subject, or any name that means nothing to anyone
     * else), valid from {@code now} for the lifetime. Ids with {@code :} are refused: coturn reads
     * the expiry up to the first one.
     */
    public Credential issue(String id, Instant now) {
        if (id.indexOf(':') >= 0) {
            throw new IllegalArgumentException("a TURN user id must not contain ':'");
        }
        Instant expires = now.plus(lifetime);
        String username = expires.getEpochSecond() + ":" + id;
        return new Credential(urls, username, password(username), expires);
    }

    /** What coturn computes to check a username: base64(HMAC-SHA1(secret, username)). */
    String password(String username) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            return Base64.getEncoder().encodeToString(mac.doFinal(username.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every Java runtime has HmacSHA1", e);
        }
    }
}
