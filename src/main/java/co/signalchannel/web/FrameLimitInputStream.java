package co.signalchannel.web;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;

import java.io.IOException;
import java.util.function.UnaryOperator;

/**
 * An upgraded connection's input stream as the WebSocket implementation reads it, less the frames
 * that {@link FrameSizeGuard} refuses; the first refusal's reason goes to {@code onRefusal}, on the
 * reading thread, before the read returns. Every other call goes straight to the container's stream.
 *
 * <p>After a refusal the implementation is handed nothing more: the session is closed, but the
 * client is usually still sending, and what it sends is read and thrown away through {@link
 * #discard} (see {@link LingeringClose} for why).
 */
final class FrameLimitInputStream extends ServletInputStream {

    private final ServletInputStream stream;
    private final FrameSizeGuard guard;
    /** Closes the session for a refused frame; may instead throw, failing the read. */
    @FunctionalInterface
    interface Refusal {
        void refuse(String reason) throws IOException;
    }

    private final Refusal onRefusal;
    private final UnaryOperator<ReadListener> listeners;
    private volatile boolean refused;

    /** {@code listeners} wraps the read listener the implementation sets before the container gets it. */
    FrameLimitInputStream(ServletInputStream stream, FrameSizeGuard guard, Refusal onRefusal,
            UnaryOperator<ReadListener> listeners) {
        this.stream = stream;
        this.guard = guard;
        this.onRefusal = onRefusal;
        this.listeners = listeners;
    }

    @Override
    public int read(byte[] bytes, int offset, int length) throws IOException {
        if (length <= guard.heldCount()) {
            return 0; // not met: Tyrus reads more than available() counts (Tomcat: 16 KiB)
        }
        int held = guard.takeHeld(bytes, offset);
        int read = stream.read(bytes, offset + held, length - held);
        if (read < 0 && held == 0) {
            return read;
        }
        int passed = guard.filter(bytes, offset, held + Math.max(read, 0));
        String refusal = guard.takeRefusal();
        if (refusal != null) {
            refused = true;
            onRefusal.refuse(refusal);
        }
        return passed;
    }

    /** Whether a frame has been refused. */
    boolean isRefused() {
        return refused;
    }

    /** Whether the container has input at hand for {@link #discard}; if not, it calls the read listener when it has. */
    boolean canDiscard() {
        return stream.isReady();
    }

    /**
     * Reads what the container has at hand into {@code scratch} (longer than {@link
     * FrameSizeGuard#MAX_HEADER_BYTES}), not for the implementation, and forgets it once the guard
     * has followed the frames in it; returns how many bytes were read, or -1 at the end of the input.
     */
    int discard(byte[] scratch) throws IOException {
        int held = guard.takeHeld(scratch, 0);
        int read = stream.read(scratch, held, scratch.length - held);
        int count = held + Math.max(read, 0);
        if (count > 0) {
            guard.filter(scratch, 0, count);
        }
        return read;
    }

    /** Whether the client's close frame has arrived whole. */
    boolean closeFrameReceived() {
        return guard.closeFrameReceived();
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int read;
        do {
            read = read(one, 0, 1);
        } while (read == 0);
        return read < 0 ? -1 : one[0] & 0xff;
    }

    /**
     * The container's count plus the header bytes held back, or 0 where the container says 0:
     * Tomcat always does, and Tyrus then reads up to 16 KiB; a count of just the held bytes would
     * have Tyrus ask for no more than those, which are only passed on with what follows them.
     */
    @Override
    public int available() throws IOException {
        int available = stream.available();
        return available > 0 ? available + guard.heldCount() : 0;
    }

    @Override
    public boolean isFinished() {
        return stream.isFinished();
    }

    /**
     * False once a frame has been refused: Tyrus reads on while the stream is ready, and nothing
     * after the refusal is for it; the read listener goes on reading with {@link #discard}.
     */
    @Override
    public boolean isReady() {
        return !refused && stream.isReady();
    }

    @Override
    public void setReadListener(ReadListener readListener) {
        stream.setReadListener(listeners.apply(readListener));
    }

    @Override
    public void close() throws IOException {
        stream.close();
    }
}
