package co.signalchannel.bench;

import co.signalchannel.testing.PageOrigin;
import java.io.IOException;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * One client WebSocket connection of the {@link LoadGenerator}: a non-blocking socket whose frames
 * are parsed in place on its loop's thread and handed to an {@link Inbound} without copying.
 *
 * <p>Guarantees: {@link Inbound#message} is called on the loop thread, in arrival order, with a
 * slice that is valid only during the call; pings are answered with pongs; a send from any thread
 * writes the whole frame before another send on this socket starts. Sends never queue: a send
 * spins until the kernel takes the frame (the server reads promptly; one that does not for
 * {@link #SEND_TIMEOUT_NANOS} fails the send), so the generator never holds a backlog that would
 * hide the server's.
 */
final class BenchSocket {

    /** What the generator does with what a connection receives. */
    interface Inbound {
        /** A complete text or binary message; {@code data[offset, offset + length)} is valid during the call only. */
        void message(BenchSocket socket, boolean text, byte[] data, int offset, int length);

        /** The connection ended; {@code code} is the server's close code, or 1006 when none was received. */
        default void closed(BenchSocket socket, int code, String reason) {
        }
    }

    /** The server answered the upgrade request with something other than {@code 101 Switching Protocols}. */
    static final class HandshakeRefused extends IOException {
        /** The response's status line, e.g. {@code HTTP/1.1 404 Not Found}. */
        final String statusLine;

        HandshakeRefused(URI uri, String statusLine) {
            super("handshake refused by " + uri + ": " + statusLine);
            this.statusLine = statusLine;
        }
    }

    static final int OP_CONTINUATION = 0;
    static final int OP_TEXT = 1;
    static final int OP_BINARY = 2;
    static final int OP_CLOSE = 8;
    static final int OP_PING = 9;
    static final int OP_PONG = 10;

    private static final long SEND_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);

    private enum State { CONNECTING, HANDSHAKE, OPEN, CLOSED }

    final LoadGenerator.Loop loop;
    final SocketChannel channel;
    private final URI uri;
    private final boolean offerDeflate;
    private final Inbound inbound;
    private final CompletableFuture<BenchSocket> opened = new CompletableFuture<>();
    private volatile State state = State.CONNECTING;
    private SelectionKey key;
    private String expectedAccept;
    private boolean deflateAccepted;

    /** Bytes of an incomplete frame (or handshake response) carried to the next read. */
    private byte[] carry;
    private int carryLength;
    /** A fragmented message being reassembled. */
    private byte[] fragments;
    private int fragmentsLength;
    private boolean fragmentsText;

    private final Object writeLock = new Object();
    private volatile int closeCode = 1006;
    private volatile String endReason = "";
    /** Set once a close frame has gone out (ours, or our answer to the server's): never a second one. */
    private final AtomicBoolean closeSent = new AtomicBoolean();
    /** Why the handshake failed, if the server refused it; the opened future fails with it. */
    private volatile HandshakeRefused refused;
    /** Scenario state for this connection (its index, what it expects next). */
    Object attachment;

    BenchSocket(LoadGenerator.Loop loop, SocketChannel channel, URI uri, boolean offerDeflate, Inbound inbound) {
        this.loop = loop;
        this.channel = channel;
        this.uri = uri;
        this.offerDeflate = offerDeflate;
        this.inbound = inbound;
    }

    CompletableFuture<BenchSocket> opened() {
        return opened;
    }

    boolean isOpen() {
        return state == State.OPEN;
    }

    /** Whether the server accepted the permessage-deflate offer. */
    boolean deflateAccepted() {
        return deflateAccepted;
    }

    int closeCode() {
        return closeCode;
    }

    /** The server's close reason, or what ended the connection otherwise; empty while open. */
    String endReason() {
        return endReason;
    }

    int loopIndex() {
        return loop.index;
    }

    // ---- called on the loop thread ----

    void registered(SelectionKey key) {
        this.key = key;
    }

    void connectable() throws IOException {
        if (!channel.finishConnect()) {
            return;
        }
        state = State.HANDSHAKE;
        byte[] nonce = new byte[16];
        ThreadLocalRandom.current().nextBytes(nonce);
        String secKey = Base64.getEncoder().encodeToString(nonce);
        expectedAccept = accept(secKey);
        String request = "GET " + uri.getRawPath() + " HTTP/1.1\r\n"
                + "Host: " + uri.getHost() + ":" + uri.getPort() + "\r\n"
                + "Origin: " + PageOrigin.of(uri) + "\r\n"
                + "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + secKey + "\r\n"
                + "Sec-WebSocket-Version: 13\r\n"
                + (offerDeflate ? "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n" : "")
                + "\r\n";
        writeFully(ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII)));
        key.interestOps(SelectionKey.OP_READ);
    }

    /** Reads what the socket has; {@code buffer} is the loop's scratch buffer. */
    void readable(ByteBuffer buffer) throws IOException {
        buffer.clear();
        if (carryLength > 0) {
            buffer.put(carry, 0, carryLength);
            carryLength = 0;
        }
        int read = channel.read(buffer);
        if (read < 0) {
            end(closeCode, "connection closed by the server");
            return;
        }
        buffer.flip();
        byte[] data = buffer.array();
        int position = 0;
        int limit = buffer.limit();
        if (state == State.HANDSHAKE) {
            position = handshake(data, limit);
            if (position < 0) {
                keep(data, 0, limit);
                return;
            }
        }
        while (state == State.OPEN) {
            int consumed = frame(data, position, limit);
            if (consumed == 0) {
                break;
            }
            position += consumed;
        }
        if (position < limit && state == State.OPEN) {
            if (limit - position > buffer.capacity() / 2) {
                throw new IOException("frame larger than the bench client's buffer of " + buffer.capacity() / 2 + " bytes");
            }
            keep(data, position, limit);
        }
    }

    private void keep(byte[] data, int from, int to) {
        int length = to - from;
        if (carry == null || carry.length < length) {
            carry = new byte[Math.max(length, 256)];
        }
        System.arraycopy(data, from, carry, 0, length);
        carryLength = length;
    }

    /** @return where the frames start, or -1 if the response is not complete yet */
    private int handshake(byte[] data, int limit) throws IOException {
        int end = -1;
        for (int i = 3; i < limit; i++) {
            if (data[i] == '\n' && data[i - 1] == '\r' && data[i - 2] == '\n' && data[i - 3] == '\r') {
                end = i + 1;
                break;
            }
        }
        if (end < 0) {
            if (limit > 16 * 1024) {
                throw new IOException("handshake response over 16 KB");
            }
            return -1;
        }
        String response = new String(data, 0, end, StandardCharsets.ISO_8859_1);
        if (!response.startsWith("HTTP/1.1 101")) {
            refused = new HandshakeRefused(uri, response.lines().findFirst().orElse(""));
            throw refused;
        }
        String lower = response.toLowerCase(Locale.ROOT);
        if (!lower.contains(expectedAccept.toLowerCase(Locale.ROOT))) {
            throw new IOException("handshake response from " + uri + " lacks the expected Sec-WebSocket-Accept");
        }
        deflateAccepted = lower.contains("permessage-deflate");
        state = State.OPEN;
        carry = null;
        opened.complete(this);
        return end;
    }

    /** Parses one frame at {@code position}; @return the bytes it took, 0 if it is incomplete. */
    private int frame(byte[] data, int position, int limit) throws IOException {
        int available = limit - position;
        if (available < 2) {
            return 0;
        }
        int first = data[position] & 0xff;
        int second = data[position + 1] & 0xff;
        boolean fin = (first & 0x80) != 0;
        int opcode = first & 0x0f;
        if ((first & 0x70) != 0) {
            throw new IOException("compressed or extended frame; the bench client reads plain frames only");
        }
        int header = 2;
        long length = second & 0x7f;
        if (length == 126) {
            header = 4;
            if (available < header) {
                return 0;
            }
            length = ((data[position + 2] & 0xff) << 8) | (data[position + 3] & 0xff);
        } else if (length == 127) {
            header = 10;
            if (available < header) {
                return 0;
            }
            length = 0;
            for (int i = 2; i < 10; i++) {
                length = (length << 8) | (data[position + i] & 0xff);
            }
        }
        if ((second & 0x80) != 0) {
            throw new IOException("the server sent a masked frame");
        }
        if (length > Integer.MAX_VALUE / 2) {
            throw new IOException("frame of " + length + " bytes");
        }
        if (available < header + length) {
            return 0;
        }
        int start = position + header;
        int size = (int) length;
        switch (opcode) {
            case OP_TEXT, OP_BINARY -> {
                if (fin) {
                    inbound.message(this, opcode == OP_TEXT, data, start, size);
                } else {
                    fragmentsText = opcode == OP_TEXT;
                    fragmentsLength = 0;
                    appendFragment(data, start, size);
                }
            }
            case OP_CONTINUATION -> {
                appendFragment(data, start, size);
                if (fin) {
                    inbound.message(this, fragmentsText, fragments, 0, fragmentsLength);
                    fragments = null;
                    fragmentsLength = 0;
                }
            }
            case OP_PING -> send(OP_PONG, data, start, size);
            case OP_PONG -> {
            }
            case OP_CLOSE -> {
                int code = size >= 2 ? ((data[start] & 0xff) << 8) | (data[start + 1] & 0xff) : 1005;
                String reason = size > 2 ? new String(data, start + 2, size - 2, StandardCharsets.UTF_8) : "";
                closeCode = code;
                try {
                    if (closeSent.compareAndSet(false, true)) {
                        send(OP_CLOSE, data, start, Math.min(size, 2));
                    }
                } catch (IOException ignored) {
                    // the server may already have gone
                }
                end(code, reason);
                return header + size;
            }
            default -> throw new IOException("unknown opcode " + opcode);
        }
        return header + size;
    }

    private void appendFragment(byte[] data, int start, int size) {
        if (fragments == null || fragments.length < fragmentsLength + size) {
            byte[] grown = new byte[Math.max(fragmentsLength + size, 2 * fragmentsLength)];
            if (fragments != null) {
                System.arraycopy(fragments, 0, grown, 0, fragmentsLength);
            }
            fragments = grown;
        }
        System.arraycopy(data, start, fragments, fragmentsLength, size);
        fragmentsLength += size;
    }

    /** The connection is over, for whatever reason; safe to call more than once and from any thread. */
    void end(int code, String reason) {
        boolean wasOpen;
        synchronized (this) {
            if (state == State.CLOSED) {
                return;
            }
            wasOpen = state == State.OPEN;
            state = State.CLOSED;
            endReason = reason;
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing left to do
        }
        if (!opened.isDone()) {
            opened.completeExceptionally(refused != null ? refused
                    : new IOException("connection to " + uri + " ended before it opened: " + reason));
        }
        if (wasOpen) {
            inbound.closed(this, code, reason);
        }
    }

    // ---- any thread ----

    /** Sends a text message (masked, as clients must). */
    void sendText(byte[] utf8) throws IOException {
        send(OP_TEXT, utf8, 0, utf8.length);
    }

    void sendText(String text) throws IOException {
        sendText(text.getBytes(StandardCharsets.UTF_8));
    }

    void send(int opcode, byte[] payload, int offset, int length) throws IOException {
        int header = length < 126 ? 2 : length < 65_536 ? 4 : 10;
        byte[] frame = new byte[header + 4 + length];
        frame[0] = (byte) (0x80 | opcode);
        if (header == 2) {
            frame[1] = (byte) (0x80 | length);
        } else if (header == 4) {
            frame[1] = (byte) (0x80 | 126);
            frame[2] = (byte) (length >>> 8);
            frame[3] = (byte) length;
        } else {
            frame[1] = (byte) (0x80 | 127);
            for (int i = 0; i < 8; i++) {
                frame[2 + i] = (byte) ((long) length >>> (56 - 8 * i));
            }
        }
        int mask = ThreadLocalRandom.current().nextInt();
        byte[] maskBytes = {(byte) (mask >>> 24), (byte) (mask >>> 16), (byte) (mask >>> 8), (byte) mask};
        System.arraycopy(maskBytes, 0, frame, header, 4);
        int body = header + 4;
        for (int i = 0; i < length; i++) {
            frame[body + i] = (byte) (payload[offset + i] ^ maskBytes[i & 3]);
        }
        writeFully(ByteBuffer.wrap(frame));
    }

    private void writeFully(ByteBuffer frame) throws IOException {
        synchronized (writeLock) {
            if (state == State.CLOSED) {
                throw new IOException("socket to " + uri + " closed (close code " + closeCode + ": " + endReason + ")");
            }
            long deadline = 0;
            while (frame.hasRemaining()) {
                if (channel.write(frame) == 0) {
                    if (deadline == 0) {
                        deadline = System.nanoTime() + SEND_TIMEOUT_NANOS;
                    } else if (System.nanoTime() > deadline) {
                        throw new IOException("the server read nothing from " + uri + " for 10 s");
                    }
                    LockSupport.parkNanos(20_000);
                }
            }
        }
    }

    /** Sends a normal close frame and closes the socket without waiting for the server's answer. */
    void close() {
        sendClose();
        drop();
    }

    /**
     * Sends a normal close frame (1000) unless one went out already, and keeps reading: the
     * connection ends when the server's close frame arrives (reported to {@link Inbound#closed}
     * with the server's code), or when the server drops it.
     */
    void sendClose() {
        if (!closeSent.compareAndSet(false, true)) {
            return;
        }
        try {
            send(OP_CLOSE, new byte[]{0x03, (byte) 0xe8}, 0, 2);
        } catch (IOException ignored) {
            // it is closing anyway
        }
    }

    /** Drops the connection at once, as a lost network would (TCP reset, nothing left in TIME_WAIT). */
    void drop() {
        try {
            channel.setOption(StandardSocketOptions.SO_LINGER, 0);
        } catch (IOException ignored) {
            // closed already
        }
        end(1006, "dropped by the client");
    }

    private static String accept(String secKey) {
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-1").digest(
                    (secKey + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(digest);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return "bench socket to " + uri;
    }
}
