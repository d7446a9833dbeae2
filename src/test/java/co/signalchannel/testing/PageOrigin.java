package co.signalchannel.testing;

import java.net.URI;

/**
 * The {@code Origin} a browser would send to a WebSocket URI when the page came from that server,
 * which the server's default allowed origins admit. Test and benchmark clients send it, as a page
 * served by the server would; the origin tests send others.
 */
public final class PageOrigin {

    private PageOrigin() {
    }

    /** {@code ws://host:port/...} → {@code http://host:port} ({@code wss} → {@code https}). */
    public static String of(URI uri) {
        String scheme = uri.getScheme().equals("wss") || uri.getScheme().equals("https") ? "https" : "http";
        return scheme + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
    }
}
