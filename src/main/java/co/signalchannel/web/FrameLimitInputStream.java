package co.signalchannel.web;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;

import java.io.IOException;
import java.util.function.UnaryOperator;

/**
 * An upgraded connection's input stream as the WebSocket implementation reads it, less the frames
 * that {@link FrameSizeGuard} refuses; the first refusal's reason goes to {@code onRefusal}, on the
 * reading thread, before the read returns. Every other call goes straight to the container's stream.
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
     * False once a frame has been refused: Tyrus reads on while the stream is ready, and its close
     * (run from the refusal) may already have handed the connection back to the container.
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
