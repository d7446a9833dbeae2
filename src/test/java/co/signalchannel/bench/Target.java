package co.signalchannel.bench;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A server under test, as the scenarios address it: signal-channel's endpoints under
 * {@code /v1/}, or the raw baseline's {@code echo/{room}}, {@code relay/{room}} and {@code sync/{keys}}.
 *
 * @param name the name it carries in the report
 * @param base its context root, e.g. {@code http://127.0.0.1:8480/signal-channel/}
 */
record Target(String name, Kind kind, URI base) {

    enum Kind { SIGNAL_CHANNEL, BASELINE }

    private static final Pattern SESSIONS = Pattern.compile("\"sessions\"\\s*:\\s*(\\d+)");
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    static Target signalChannel(URI base) {
        return new Target("signal-channel", Kind.SIGNAL_CHANNEL, base);
    }

    static Target baseline(URI base) {
        return new Target("baseline", Kind.BASELINE, base);
    }

    boolean isBaseline() {
        return kind == Kind.BASELINE;
    }

    URI echo(String namespace) {
        return ws((isBaseline() ? "echo/" : "v1/echo/") + encode(namespace));
    }

    URI relay(String namespace) {
        return ws((isBaseline() ? "relay/" : "v1/relay/") + encode(namespace));
    }

    URI scuttlebutt(String namespace) {
        requireSignalChannel("scuttlebutt");
        return ws("v1/scuttlebutt/" + encode(namespace));
    }

    /** The baseline's late-joiner floor: a prebuilt history of {@code keys} lines. */
    URI sync(int keys) {
        if (!isBaseline()) {
            throw new IllegalStateException("only the baseline has sync/{keys}");
        }
        return ws("sync/" + keys);
    }

    /**
     * Sessions signal-channel holds on the whole server, from its {@code /v1/stats}; -1 for the
     * baseline, which keeps no count.
     */
    int sessions() throws IOException, InterruptedException {
        if (isBaseline()) {
            return -1;
        }
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(base.resolve("v1/stats"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        Matcher matcher = SESSIONS.matcher(response.body());
        if (response.statusCode() != 200 || !matcher.find()) {
            throw new IOException("unexpected /v1/stats answer " + response.statusCode() + ": " + response.body());
        }
        return Integer.parseInt(matcher.group(1));
    }

    /**
     * Waits until signal-channel holds exactly {@code count} sessions (it takes a session in just
     * after the client's handshake completes, and lets it go just after a drop); returns at once
     * for the baseline.
     *
     * @return whether the count was reached within {@code wait}
     */
    boolean awaitSessions(int count, Duration wait) throws IOException, InterruptedException {
        if (isBaseline()) {
            return true;
        }
        long deadline = System.nanoTime() + wait.toNanos();
        while (System.nanoTime() < deadline) {
            if (sessions() == count) {
                return true;
            }
            Thread.sleep(50);
        }
        return sessions() == count;
    }

    private URI ws(String path) {
        return URI.create(base.toString().replaceFirst("^http", "ws") + path);
    }

    private void requireSignalChannel(String endpoint) {
        if (isBaseline()) {
            throw new IllegalStateException("the baseline has no " + endpoint + " endpoint");
        }
    }

    private static String encode(String namespace) {
        return URLEncoder.encode(namespace, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
