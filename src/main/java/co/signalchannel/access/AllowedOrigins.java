package co.signalchannel.access;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Which web pages may open sessions, by the {@code Origin} header browsers put on every WebSocket
 * handshake. A browser cannot lie about it, so it stops another site's pages from using the
 * server (cross-site WebSocket hijacking); any other client can, which is what tokens are for.
 *
 * <p>With no list, only pages served from the server's own host and port are admitted: the
 * origin's host and port must be those of the {@code Host} header the handshake was sent to.
 */
public final class AllowedOrigins {

    private final boolean any;
    private final Set<String> listed;
    private final boolean admitMissing;

    private AllowedOrigins(boolean any, Set<String> listed, boolean admitMissing) {
        this.any = any;
        this.listed = listed;
        this.admitMissing = admitMissing;
    }

    /**
     * @param list         comma-separated origins ({@code scheme://host[:port]}), {@code *}, or empty for the
     *                     server's own
     * @param admitMissing whether a handshake with no {@code Origin} (not from a browser) is admitted
     * @throws IllegalArgumentException naming an entry that is not an origin
     */
    public static AllowedOrigins parse(String list, boolean admitMissing) {
        Set<String> listed = new LinkedHashSet<>();
        boolean any = false;
        for (String entry : list.split(",")) {
            String origin = entry.strip();
            if (origin.isEmpty()) {
                continue;
            }
            if (origin.equals("*")) {
                any = true;
                continue;
            }
            listed.add(normalised(origin).orElseThrow(() -> new IllegalArgumentException(
                    "allowed origin \"" + origin + "\" is not scheme://host[:port]")));
        }
        return new AllowedOrigins(any, Set.copyOf(listed), admitMissing);
    }

    /**
     * Why a handshake must be refused, as the body of its 403; empty if admitted.
     *
     * @param origins the handshake's {@code Origin} headers (browsers send exactly one)
     * @param host    its {@code Host} header, or null
     */
    public Optional<String> refusal(List<String> origins, String host) {
        if (origins.isEmpty()) {
            return admitMissing ? Optional.empty() : Optional.of("This server admits WebSocket handshakes from web pages"
                    + " only; this one has no Origin header (see signalchannel.allow-no-origin).");
        }
        if (origins.size() > 1) {
            return Optional.of("A WebSocket handshake must carry one Origin header, not " + origins.size() + ".");
        }
        String origin = origins.get(0).strip();
        if (any) {
            return Optional.empty();
        }
        Optional<String> normal = normalised(origin);
        boolean admitted = normal.isPresent() && (listed.isEmpty() ? isSameHost(normal.get(), host) : listed.contains(normal.get()));
        return admitted ? Optional.empty() : Optional.of("Pages from origin " + printable(origin)
                + " may not open sessions on this server (see signalchannel.allowed-origins).");
    }

    /** {@code scheme://host:port}, lower case, the port explicit; empty for anything else ({@code null} included). */
    static Optional<String> normalised(String origin) {
        try {
            URI uri = new URI(origin);
            String scheme = uri.getScheme();
            String host = uri.getHost();
            if (scheme == null || host == null || uri.getRawUserInfo() != null
                    || !(uri.getRawPath() == null || uri.getRawPath().isEmpty() || uri.getRawPath().equals("/"))
                    || uri.getRawQuery() != null || uri.getRawFragment() != null) {
                return Optional.empty();
            }
            scheme = scheme.toLowerCase(Locale.ROOT);
            int port = uri.getPort() >= 0 ? uri.getPort() : defaultPort(scheme);
            return port < 0 ? Optional.empty() : Optional.of(scheme + "://" + host.toLowerCase(Locale.ROOT) + ":" + port);
        } catch (URISyntaxException e) {
            return Optional.empty();
        }
    }

    /**
     * Whether a normalised origin names the host and port the handshake was sent to. A Host with no
     * port (what a proxy on 80 or 443 passes on) matches the origin's scheme's default port.
     */
    private static boolean isSameHost(String origin, String host) {
        if (host == null || host.isBlank()) {
            return false;
        }
        URI target;
        try {
            target = new URI("http://" + host.strip());
        } catch (URISyntaxException e) {
            return false;
        }
        if (target.getHost() == null) {
            return false;
        }
        URI page = URI.create(origin);
        int port = target.getPort() >= 0 ? target.getPort() : defaultPort(page.getScheme());
        return page.getHost().equalsIgnoreCase(target.getHost()) && page.getPort() == port;
    }

    private static int defaultPort(String scheme) {
        return switch (scheme) {
            case "http", "ws" -> 80;
            case "https", "wss" -> 443;
            default -> -1;
        };
    }

    private static String printable(String origin) {
        String shown = origin.length() > 100 ? origin.substring(0, 100) + "…" : origin;
        StringBuilder quoted = new StringBuilder("\"");
        shown.codePoints().forEach(c -> quoted.appendCodePoint(c < 0x20 || c == 0x7f ? '?' : c));
        return quoted.append('"').toString();
    }
}
