package co.signalchannel.web;

import co.signalchannel.namespace.NamespaceName;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * A request that asks to become a WebSocket ({@code Upgrade: websocket}), checked against what RFC
 * 6455 section 4.2.1 requires of an opening handshake and against the namespace rule
 * ({@link NamespaceName}), so that it can be refused with a clear HTTP answer before the
 * container's WebSocket implementation, which accepts some of these and answers others with 500,
 * ever sees it.
 *
 * @param method   the HTTP method
 * @param protocol the HTTP version, as in the request line ({@code HTTP/1.1})
 * @param headers  every value of a header, by case-insensitive name; an empty list if absent
 * @param path     the request path below the context root, as it arrived (not decoded, not normalised)
 */
record OpeningHandshake(String method, String protocol, Function<String, List<String>> headers, String path) {

    /** An HTTP answer to a handshake that is refused. */
    record Refusal(int status, String message, Map<String, String> headers) {

        Refusal(int status, String message) {
            this(status, message, Map.of());
        }
    }

    /** The endpoints whose last path segment is a namespace name. */
    private static final Set<String> ENDPOINTS = Set.of("echo", "scuttlebutt", "relay");
    private static final String ENDPOINT_PREFIX = "/v1/";
    /** RFC 3986 {@code pchar}s and {@code /}: all a request path may hold without percent-encoding. */
    private static final String PATH_PUNCTUATION = "-._~!$&'()*+,;=:@/%";

    /** Whether the request asks to become a WebSocket: an {@code Upgrade} header naming {@code websocket}. */
    static boolean isRequested(Function<String, List<String>> headers) {
        return hasToken(headers.apply("Upgrade"), "websocket");
    }

    /** Why the handshake must be refused, as the HTTP answer to give; empty if the container may go on with it. */
    Optional<Refusal> refusal() {
        if (!"GET".equals(method)) {
            return Optional.of(new Refusal(405, "A WebSocket opening handshake must be a GET request, not " + method
                    + " (RFC 6455 section 4.1).", Map.of("Allow", "GET")));
        }
        if (!isHttp11OrLater(protocol)) {
            return Optional.of(new Refusal(400, "A WebSocket opening handshake needs HTTP/1.1 or later, not " + protocol
                    + " (RFC 6455 section 4.1)."));
        }
        if (!hasToken(headers.apply("Connection"), "upgrade")) {
            return Optional.of(new Refusal(400, "A WebSocket opening handshake needs a Connection header holding \"Upgrade\", got "
                    + describe(headers.apply("Connection")) + " (RFC 6455 section 4.1)."));
        }
        List<String> keys = headers.apply("Sec-WebSocket-Key");
        if (keys.size() != 1 || !isNonce(keys.get(0))) {
            return Optional.of(new Refusal(400, "A WebSocket opening handshake needs one Sec-WebSocket-Key header holding"
                    + " 16 bytes in base64, got " + describe(keys) + " (RFC 6455 section 4.1)."));
        }
        List<String> versions = headers.apply("Sec-WebSocket-Version");
        if (versions.size() != 1 || !"13".equals(versions.get(0).trim())) {
            // 400 as in RFC 6455's example rather than 426, which must name a protocol in an Upgrade
            // header: Payara's HTTP layer takes any response with one for an upgrade and drops its
            // Content-Type and Content-Length.
            return Optional.of(new Refusal(400, "This server speaks WebSocket version 13 only (Sec-WebSocket-Version: 13), got "
                    + describe(versions) + " (RFC 6455 section 4.4).", Map.of("Sec-WebSocket-Version", "13")));
        }
        return pathRefusal();
    }

    /** The endpoint and namespace a handshake opens. */
    record Target(String endpoint, String namespace) {
    }

    /** Which of our endpoints and namespaces the handshake opens; empty if its path is not one of them. */
    Optional<Target> target() {
        if (!path.startsWith(ENDPOINT_PREFIX)) {
            return Optional.empty();
        }
        String rest = path.substring(ENDPOINT_PREFIX.length());
        int slash = rest.indexOf('/');
        if (slash < 0 || !ENDPOINTS.contains(rest.substring(0, slash))) {
            return Optional.empty();
        }
        return percentDecoded(rest.substring(slash + 1)).map(name -> new Target(rest.substring(0, slash), name));
    }

    private Optional<Refusal> pathRefusal() {
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (!(c < 0x7f && (Character.isLetterOrDigit(c) || PATH_PUNCTUATION.indexOf(c) >= 0))) {
                return Optional.of(new Refusal(400, String.format("The request path holds a raw U+%04X at %d; everything"
                        + " but letters, digits and -._~!$&'()*+,;=:@/ must be percent-encoded (RFC 3986).", (int) c, i)));
            }
        }
        if (!path.startsWith(ENDPOINT_PREFIX)) {
            return Optional.empty();
        }
        String rest = path.substring(ENDPOINT_PREFIX.length());
        int slash = rest.indexOf('/');
        if (slash < 0 || !ENDPOINTS.contains(rest.substring(0, slash))) {
            return Optional.empty(); // not an endpoint of ours: the container answers 404
        }
        String endpoint = rest.substring(0, slash);
        String encoded = rest.substring(slash + 1);
        Optional<String> name = percentDecoded(encoded);
        if (name.isEmpty()) {
            return Optional.of(new Refusal(400, "The " + endpoint + " namespace \"" + encoded
                    + "\" is not percent-encoded UTF-8 (as encodeURIComponent makes it)."));
        }
        return NamespaceName.problem(name.get()).map(problem -> new Refusal(400, "The " + endpoint + " namespace \""
                + encoded + "\" is not allowed: " + problem + "."));
    }

    private static boolean isHttp11OrLater(String protocol) {
        if (protocol == null || !protocol.startsWith("HTTP/")) {
            return false;
        }
        String[] version = protocol.substring("HTTP/".length()).split("\\.");
        try {
            int major = Integer.parseInt(version[0]);
            int minor = version.length > 1 ? Integer.parseInt(version[1]) : 0;
            return major > 1 || (major == 1 && minor >= 1);
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** Whether a comma-separated header, over all its values, holds the token (case-insensitive). */
    private static boolean hasToken(List<String> values, String token) {
        for (String value : values) {
            for (String element : value.split(",")) {
                if (element.trim().equalsIgnoreCase(token)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** 16 bytes in base64 are 24 characters, the last two "=" (the decoder would also take them unpadded). */
    private static boolean isNonce(String key) {
        String trimmed = key.trim();
        try {
            return trimmed.length() == 24 && Base64.getDecoder().decode(trimmed).length == 16;
        } catch (IllegalArgumentException notBase64) {
            return false;
        }
    }

    private static Optional<String> percentDecoded(String encoded) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(encoded.length());
        for (int i = 0; i < encoded.length(); i++) {
            char c = encoded.charAt(i);
            if (c != '%') {
                bytes.write(c); // the path check let only ASCII through
                continue;
            }
            if (i + 2 >= encoded.length()) {
                return Optional.empty();
            }
            int high = Character.digit(encoded.charAt(i + 1), 16);
            int low = Character.digit(encoded.charAt(i + 2), 16);
            if (high < 0 || low < 0) {
                return Optional.empty();
            }
            bytes.write(high << 4 | low);
            i += 2;
        }
        try {
            return Optional.of(StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray())).toString());
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }

    private static String describe(List<String> values) {
        if (values.isEmpty()) {
            return "none";
        }
        String joined = String.join(", ", values);
        return "\"" + (joined.length() > 40 ? joined.substring(0, 40) + "…" : joined) + "\"";
    }
}
