package co.signalchannel.testing;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.OptionalInt;

/**
 * A WebSocket client written on a bare socket, for misbehaving on purpose: after the handshake it
 * reads nothing unless asked, so it never answers pings and lets the server's sends pile up, as a
 * stalled browser tab or a dead peer would.
 */
public final class RawWebSocket implements AutoCloseable {

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    /** A received frame. */
    public record Frame(int opcode, byte[] payload) {
        public static final int TEXT = 1;
        public static final int BINARY = 2;
        public static final int CLOSE = 8;
        public static final int PING = 9;

        /** The close code of a close frame. */
        public int closeCode() {
            return ((payload[0] & 0xff) << 8) | (payload[1] & 0xff);
        }

        public String closeReason() {
            return new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8);
        }
    }

    private RawWebSocket(URI uri, int receiveBuffer) throws IOException {
        socket = new Socket();
        socket.setReceiveBufferSize(receiveBuffer); // small, so the server's sends back up soon
        socket.connect(new java.net.InetSocketAddress(uri.getHost(), uri.getPort()), 5_000);
        out = socket.getOutputStream();
        in = new DataInputStream(socket.getInputStream());
        byte[] nonce = new byte[16];
        new SecureRandom().nextBytes(nonce);
        String request = "GET " + uri.getRawPath() + " HTTP/1.1\r\n"
                + "Host: " + uri.getHost() + ":" + uri.getPort() + "\r\n"
                + "Origin: " + PageOrigin.of(uri) + "\r\n"
                + "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(nonce) + "\r\n"
                + "Sec-WebSocket-Version: 13\r\n\r\n";
        out.write(request.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        String status = readHeaders();
        if (!status.startsWith("HTTP/1.1 101")) {
            socket.close();
            throw new IOException("handshake refused: " + status);
        }
    }

    /** Connects and completes the handshake; from then on reads nothing until told to. */
    public static RawWebSocket connect(URI uri) throws IOException {
        return new RawWebSocket(uri, 4096);
    }

    private String readHeaders() throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed during handshake");
            }
            head.write(b);
            matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.US_ASCII).lines().findFirst().orElse("");
    }

    /** Sends a masked text frame, as clients must. */
    public void sendText(String text) throws IOException {
        sendFrame(Frame.TEXT, text.getBytes(StandardCharsets.UTF_8), true);
    }

    /** Sends a text frame without a mask, which RFC 6455 section 5.1 forbids clients. */
    public void sendUnmaskedText(String text) throws IOException {
        sendFrame(Frame.TEXT, text.getBytes(StandardCharsets.UTF_8), false);
    }

    /** Sends a masked close frame with {@code code} and no reason; the socket stays open. */
    public void sendClose(int code) throws IOException {
        sendFrame(Frame.CLOSE, new byte[]{(byte) (code >> 8), (byte) code}, true);
    }

    /** Sends a masked binary frame of any size (its payload masked with a zero mask, so sent as it is). */
    public void sendBinary(byte[] payload) throws IOException {
        sendHeader(Frame.BINARY, true, payload.length);
        out.write(payload);
        out.flush();
    }

    /**
     * Sends only the header of a masked frame (its mask is zero) declaring {@code declaredLength}
     * payload bytes, the 64-bit length field sent as it is, sign bit and all; the payload, if any,
     * follows with {@link #sendRaw}.
     */
    public void sendHeader(int opcode, boolean fin, long declaredLength) throws IOException {
        ByteArrayOutputStream header = new ByteArrayOutputStream();
        header.write((fin ? 0x80 : 0) | opcode);
        if (declaredLength >= 0 && declaredLength < 126) {
            header.write(0x80 | (int) declaredLength);
        } else if (declaredLength >= 0 && declaredLength < 65_536) {
            header.write(0x80 | 126);
            header.write((int) (declaredLength >> 8));
            header.write((int) (declaredLength & 0xff));
        } else {
            header.write(0x80 | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                header.write((int) (declaredLength >>> shift) & 0xff);
            }
        }
        header.write(new byte[4]);
        out.write(header.toByteArray());
        out.flush();
    }

    /** Sends bytes as they are, e.g. a payload after {@link #sendHeader}. */
    public void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    private void sendFrame(int opcode, byte[] payload, boolean masked) throws IOException {
        int maskBit = masked ? 0x80 : 0;
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.write(0x80 | opcode);
        if (payload.length < 126) {
            frame.write(maskBit | payload.length);
        } else {
            frame.write(maskBit | 126);
            frame.write(payload.length >> 8);
            frame.write(payload.length & 0xff);
        }
        byte[] mask = new byte[4];
        if (masked) {
            new SecureRandom().nextBytes(mask);
            frame.write(mask);
        }
        for (int i = 0; i < payload.length; i++) {
            frame.write(payload[i] ^ mask[i % 4]);
        }
        out.write(frame.toByteArray());
        out.flush();
    }

    /** Reads the next frame other than a ping (pings are skipped, never answered), or fails after {@code timeout}. */
    public Frame readFrame(Duration timeout) throws IOException {
        Frame frame;
        do {
            frame = readAnyFrame(timeout);
        } while (frame.opcode() == Frame.PING);
        return frame;
    }

    private Frame readAnyFrame(Duration timeout) throws IOException {
        socket.setSoTimeout((int) timeout.toMillis());
        int first = in.readUnsignedByte();
        int second = in.readUnsignedByte();
        long length = second & 0x7f;
        if (length == 126) {
            length = in.readUnsignedShort();
        } else if (length == 127) {
            length = in.readLong();
        }
        byte[] payload = new byte[Math.toIntExact(length)];
        in.readFully(payload);
        return new Frame(first & 0x0f, payload);
    }

    /** How a connection ended, as the client saw it. */
    public record Ending(OptionalInt closeCode, boolean timedOut) {
    }

    /**
     * Reads, discarding data frames, until the server's close frame, the end of the stream, or
     * {@code timeout}.
     */
    public Ending drainUntilClose(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (System.nanoTime() < deadline) {
                Frame frame = readFrame(Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime())));
                if (frame.opcode() == Frame.CLOSE) {
                    return new Ending(OptionalInt.of(frame.closeCode()), false);
                }
            }
        } catch (SocketTimeoutException timedOut) {
            return new Ending(OptionalInt.empty(), true);
        } catch (EOFException | java.net.SocketException dropped) {
            // the server dropped the connection without a close frame we could read
        }
        return new Ending(OptionalInt.empty(), System.nanoTime() >= deadline);
    }

    public InputStream input() {
        return in;
    }

    /** Drops the connection with a TCP reset instead of an orderly close. */
    public void reset() throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
