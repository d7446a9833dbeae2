package co.signalchannel.testing;

import java.io.IOException;
import java.io.InputStream;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URL;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;

/** Addresses of a deployed signal-channel, as a client would form them. */
public final class Endpoints {

    private final URL base;

    private Endpoints(URL base) {
        this.base = base;
    }

    /**
     * The deployment of that name in the test container, always addressed on 127.0.0.1: the
     * container reports whatever interface it found first (a LAN address, or a link-local one
     * inside a network namespace), and tests must not send traffic anywhere but loopback.
     */
    public static Endpoints deployed(String name) {
        try {
            return new Endpoints(new URL("http://127.0.0.1:" + System.getProperty("it.port", "8080") + "/" + name + "/"));
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException(name, e);
        }
    }

    /** A server of the tests' own at {@code base} (ending in {@code /}), e.g. a {@link ServerNode}. */
    public static Endpoints at(URI base) {
        try {
            return new Endpoints(base.toURL());
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException(base.toString(), e);
        }
    }

    /** {@code ws://host/context/v1/{endpoint}/{namespace}}, the namespace percent-encoded as encodeURIComponent does. */
    public URI ws(String endpoint, String namespace) {
        return URI.create(base.toString().replaceFirst("^http", "ws") + "v1/" + endpoint + "/" + encode(namespace));
    }

    private static String encode(String namespace) {
        return URLEncoder.encode(namespace, StandardCharsets.UTF_8).replace("+", "%20");
    }

    public URI http(String path) {
        return URI.create(base.toString() + path);
    }

    /** The server's {@code /v1/stats} document. */
    public JsonObject stats() throws IOException, InterruptedException {
        return json(http("v1/stats"));
    }

    /** Sessions the server holds on one namespace of one endpoint. */
    public int sessions(String endpoint, String namespace) throws IOException, InterruptedException {
        return json(URI.create(http("v1/stats/").toString() + endpoint + "/" + encode(namespace))).getInt("sessions");
    }

    /**
     * Waits until the server has taken in {@code count} sessions on the namespace. A client's
     * handshake completes before the server has run its {@code @OnOpen}, so a test that wants
     * every member to see a message first waits for this.
     */
    public void awaitSessions(String endpoint, String namespace, int count) throws Exception {
        Waiting.until(() -> sessions(endpoint, namespace) == count);
    }

    private static JsonObject json(URI uri) throws IOException, InterruptedException {
        HttpResponse<InputStream> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofInputStream());
        try (JsonReader reader = Json.createReader(response.body())) {
            return reader.readObject();
        }
    }
}
