package co.signalchannel.testing;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A WebSocket opening handshake written byte for byte, so that a test can send what no WebSocket
 * library would (another method, HTTP/1.0, a bad key, a raw {@code "} in the path), and read the
 * server's HTTP answer.
 */
public final class RawHandshake {

    /** The server's answer: status, headers (names in lower case) and body. */
    public record Answer(int status, String statusLine, Map<String, String> headers, String body) {

        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        @Override
        public String toString() {
            return statusLine + (body.isEmpty() ? "" : " | " + body.strip());
        }
    }

    private final URI server;
    private String method = "GET";
    private String version = "HTTP/1.1";
    private final Map<String, String> headers = new LinkedHashMap<>();
    private String from;

    private RawHandshake(URI server) {
        this.server = server;
        headers.put("Host", server.getHost() + ":" + server.getPort());
        headers.put("Origin", PageOrigin.of(server));
        headers.put("Upgrade", "websocket");
        headers.put("Connection", "Upgrade");
        headers.put("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==");
        headers.put("Sec-WebSocket-Version", "13");
    }

    /** A handshake such as a browser sends, to the host and port of {@code server}, to be spoiled as the test likes. */
    public static RawHandshake to(URI server) {
        return new RawHandshake(server);
    }

    public RawHandshake method(String method) {
        this.method = method;
        return this;
    }

    public RawHandshake httpVersion(String version) {
        this.version = version;
        return this;
    }

    /** Connects from {@code address} (a loopback address such as {@code 127.0.0.2}) rather than the default. */
    public RawHandshake from(String address) {
        this.from = address;
        return this;
    }

    /** Sets a header; {@code null} leaves it out. */
    public RawHandshake header(String name, String value) {
        if (value == null) {
            headers.remove(name);
        } else {
            headers.put(name, value);
        }
        return this;
    }

    /** Sends the handshake for {@code path}, written into the request line exactly as given, and reads the answer. */
    public Answer send(String path) throws IOException {
        StringBuilder request = new StringBuilder(method + " " + path + " " + version + "\r\n");
        headers.forEach((name, value) -> request.append(name).append(": ").append(value).append("\r\n"));
        request.append("\r\n");
        try (Socket socket = new Socket()) {
            if (from != null) {
                socket.bind(new InetSocketAddress(from, 0));
            }
            socket.connect(new InetSocketAddress(server.getHost(), server.getPort()), 5_000);
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            String[] head = readHead(in).split("\r\n");
            Map<String, String> answerHeaders = new LinkedHashMap<>();
            for (int i = 1; i < head.length; i++) {
                int colon = head[i].indexOf(':');
                if (colon > 0) {
                    answerHeaders.put(head[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), head[i].substring(colon + 1).trim());
                }
            }
            String[] statusLine = head[0].split(" ", 3);
            int status = Integer.parseInt(statusLine[1]);
            String body = status == 101 || method.equals("HEAD") ? "" : readBody(in, socket, answerHeaders);
            return new Answer(status, head[0], answerHeaders, body);
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed before the answer's head ended: " + head.toString(StandardCharsets.ISO_8859_1));
            }
            head.write(b);
            matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    private static String readBody(DataInputStream in, Socket socket, Map<String, String> headers) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if (headers.containsKey("content-length")) {
            byte[] bytes = new byte[Integer.parseInt(headers.get("content-length"))];
            in.readFully(bytes);
            body.write(bytes);
        } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            int size;
            while ((size = Integer.parseInt(readLine(in).split(";")[0].trim(), 16)) > 0) {
                byte[] chunk = new byte[size];
                in.readFully(chunk);
                body.write(chunk);
                readLine(in);
            }
        } else {
            socket.setSoTimeout(2_000); // no length given: whatever arrives before the server closes or goes quiet
            try {
                in.transferTo(body);
            } catch (SocketTimeoutException quiet) {
                // the server keeps the connection open; what it sent is the body
            }
        }
        return body.toString(StandardCharsets.UTF_8);
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0 && b != '\n') {
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.ISO_8859_1);
    }
}
