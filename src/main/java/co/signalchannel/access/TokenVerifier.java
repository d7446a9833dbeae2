package co.signalchannel.access;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyConverter;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.Key;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * Checks the JSON Web Tokens sessions present (signature, {@code exp}, {@code nbf}) and reads what
 * they grant, through nimbus-jose-jwt. Keys come from HMAC secrets, a PEM file of public keys and
 * a JWKS file; a token's {@code kid} picks among them (keys without a {@code kid} of their own, bare
 * secrets and PEM keys, are tried for any), and a token without one is tried against every key of
 * its algorithm's type. The files are re-read when they change, so keys rotate
 * without a restart: publish the new key, issue tokens with it, retire the old one.
 *
 * <p>What it tells a client is {@link TokenRefusedException#INVALID} or {@link
 * TokenRefusedException#EXPIRED}, nothing more; what actually failed goes to the log at FINE,
 * without the token.
 */
public final class TokenVerifier {

    private static final Logger LOG = Logger.getLogger(TokenVerifier.class.getName());
    /** HMAC, RSA (PKCS #1 and PSS) and EC: what JWKS issuers use. {@code none} is never among them. */
    private static final Set<JWSAlgorithm> ALGORITHMS = Set.of(
            JWSAlgorithm.HS256, JWSAlgorithm.HS384, JWSAlgorithm.HS512,
            JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
            JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512,
            JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512);
    /** How far {@code nbf} may lie ahead of this clock: issuers' clocks are not ours. */
    static final Duration NOT_BEFORE_LEEWAY = Duration.ofSeconds(30);
    /** The longest {@code sub} taken: it is shown in stats and goes into TURN user names. */
    static final int MAX_SUBJECT_LENGTH = 256;
    static final String NAMESPACES_CLAIM = "namespaces";

    private final Supplier<List<JWK>> keys;
    private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();

    TokenVerifier(Supplier<List<JWK>> keys) {
        this.keys = keys;
        processor.setJWSKeySelector((header, context) -> keysFor(header));
        processor.setJWTClaimsSetVerifier(null); // exp and nbf are checked below, against the given time
    }

    /**
     * The verifier the {@code auth.*} settings describe; empty when none is set (tokens off).
     *
     * @param hmacSecrets comma-separated {@code kid=secret} or bare secrets
     * @param publicKeys  path of a PEM file, or empty
     * @param jwks        path of a JWKS file, or empty
     * @throws IllegalArgumentException if a secret is too short or a file cannot be read as keys
     */
    public static Optional<TokenVerifier> of(String hmacSecrets, String publicKeys, String jwks) {
        if (hmacSecrets.isBlank() && publicKeys.isBlank() && jwks.isBlank()) {
            return Optional.empty();
        }
        List<JWK> secrets = secrets(hmacSecrets);
        KeyFile pem = publicKeys.isBlank() ? null : new KeyFile(Path.of(publicKeys), PemKeys::parse);
        KeyFile set = jwks.isBlank() ? null : new KeyFile(Path.of(jwks), TokenVerifier::jwks);
        return Optional.of(new TokenVerifier(() -> {
            List<JWK> all = new ArrayList<>(secrets);
            if (pem != null) {
                all.addAll(pem.keys());
            }
            if (set != null) {
                all.addAll(set.keys());
            }
            return all;
        }));
    }

    /**
     * What {@code token} grants at {@code now}.
     *
     * @throws TokenRefusedException with {@link TokenRefusedException#EXPIRED} if its {@code exp} has
     *         passed, {@link TokenRefusedException#INVALID} for anything else wrong with it
     */
    public Grant verify(String token, Instant now) throws TokenRefusedException {
        JWTClaimsSet claims;
        try {
            claims = processor.process(token, null);
        } catch (ParseException | BadJOSEException | JOSEException e) {
            throw refused(TokenRefusedException.INVALID, e.getMessage());
        }
        Date expires = claims.getExpirationTime();
        if (expires == null) {
            throw refused(TokenRefusedException.INVALID, "no exp claim");
        }
        if (!expires.toInstant().isAfter(now)) {
            throw refused(TokenRefusedException.EXPIRED, "exp " + expires.toInstant() + " is past");
        }
        Date notBefore = claims.getNotBeforeTime();
        if (notBefore != null && notBefore.toInstant().isAfter(now.plus(NOT_BEFORE_LEEWAY))) {
            throw refused(TokenRefusedException.INVALID, "nbf " + notBefore.toInstant() + " is ahead");
        }
        String subject = claims.getSubject();
        if (subject != null && (subject.isEmpty() || subject.length() > MAX_SUBJECT_LENGTH
                || subject.codePoints().anyMatch(Character::isISOControl))) {
            throw refused(TokenRefusedException.INVALID, "sub is empty, longer than " + MAX_SUBJECT_LENGTH
                    + " characters or holds control characters");
        }
        return new Grant(Optional.ofNullable(subject), expires.toInstant(), namespaces(claims));
    }

    private static Optional<Map<String, List<String>>> namespaces(JWTClaimsSet claims) throws TokenRefusedException {
        Object claim = claims.getClaim(NAMESPACES_CLAIM);
        if (claim == null) {
            return Optional.empty();
        }
        if (!(claim instanceof Map<?, ?> perEndpoint)) {
            throw refused(TokenRefusedException.INVALID, NAMESPACES_CLAIM + " is not an object");
        }
        Map<String, List<String>> patterns = new LinkedHashMap<>();
        for (Map.Entry<?, ?> entry : perEndpoint.entrySet()) {
            if (!(entry.getValue() instanceof List<?> list) || !list.stream().allMatch(String.class::isInstance)) {
                throw refused(TokenRefusedException.INVALID, NAMESPACES_CLAIM + "." + entry.getKey()
                        + " is not an array of strings");
            }
            patterns.put(entry.getKey().toString(), list.stream().map(String.class::cast).toList());
        }
        return Optional.of(patterns);
    }

    /**
     * The keys that may have signed a token with this header: those of its algorithm's type whose
     * {@code kid} is the token's, and those without a {@code kid} (bare secrets, PEM keys), which an
     * operator cannot name but trusts all the same; issuers put a {@code kid} on every token.
     */
    private List<Key> keysFor(JWSHeader header) {
        if (!ALGORITHMS.contains(header.getAlgorithm())) {
            return List.of();
        }
        JWKMatcher ofType = JWKMatcher.forJWSHeader(new JWSHeader.Builder(header).keyID(null).build());
        if (ofType == null) {
            return List.of();
        }
        String kid = header.getKeyID();
        return KeyConverter.toJavaKeys(new JWKSelector(ofType).select(new JWKSet(keys.get())).stream()
                .filter(key -> kid == null || key.getKeyID() == null || kid.equals(key.getKeyID()))
                .toList());
    }

    private static TokenRefusedException refused(String reason, String why) {
        LOG.fine(() -> "token refused (" + reason + "): " + why);
        return new TokenRefusedException(reason);
    }

    /** {@code kid=secret} or bare secrets; a secret holding {@code =} other than as trailing padding needs a kid. */
    static List<JWK> secrets(String list) {
        List<JWK> keys = new ArrayList<>();
        for (String entry : list.split(",")) {
            String item = entry.strip();
            if (item.isEmpty()) {
                continue;
            }
            int equals = item.indexOf('=');
            boolean hasKid = equals > 0 && !item.substring(equals).matches("=+");
            String kid = hasKid ? item.substring(0, equals) : null;
            byte[] secret = (hasKid ? item.substring(equals + 1) : item).getBytes(StandardCharsets.UTF_8);
            if (secret.length < 32) {
                throw new IllegalArgumentException("an HMAC secret for tokens must be at least 32 bytes (256 bits)"
                        + (kid == null ? "" : "; the one for kid " + kid + " is " + secret.length));
            }
            keys.add(new OctetSequenceKey.Builder(secret).keyID(kid).build());
        }
        return keys;
    }

    private static List<JWK> jwks(String text) throws ParseException {
        return JWKSet.parse(text).getKeys();
    }
}
