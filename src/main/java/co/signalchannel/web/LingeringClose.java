package co.signalchannel.web;

import java.time.Duration;

/**
 * When the connection of a session closed for a refused frame is itself closed: not as soon as the
 * session has sent its close frame, but once the client has ended too (its answering close frame,
 * the end of its input, a read error), or more than {@link #MAX_DISCARDED_BYTES} have been read
 * from it since, or the close timeout has passed; meanwhile what the client sends is read and
 * discarded.
 *
 * <p>Why: a client refused from a frame's header is usually still sending that frame's payload.
 * Closing a TCP connection with bytes unread has the kernel answer with a reset, and a client
 * that meets the reset while it writes can lose the close frame still unread in its own buffer:
 * it sees 1006 where it was sent 1009 (EchoIT on Payara, once). Reading on until the client has
 * finished, as RFC 6455 section 7.1.1 asks of an endpoint that closes, lets the close frame be read.
 *
 * <p>Guarantees: the connection is closed once (the {@code closer} runs at most once) and never
 * while a container callback is under way: a close that comes due during one happens as it
 * {@linkplain #leave leaves}, on its thread, so nothing is read from a connection already handed
 * back to the container. Nothing is closed before {@link #closeRequested}. Thread-safe.
 */
final class LingeringClose {

    /**
     * What is read at most, in all, after a refusal before the connection is closed regardless: a
     * client still sending a refused frame that large is not waiting for an answer.
     */
    static final long MAX_DISCARDED_BYTES = 64L << 20;

    /** Runs a task once after a delay, on a thread of its own. */
    @FunctionalInterface
    interface Timer {
        void schedule(Duration delay, Runnable task);
    }

    private final Duration timeout;
    private final long maxBytes;
    private final Timer timer;
    private final Runnable closer;

    private int callbacks;
    private long discarded;
    private boolean closeRequested;
    private boolean clientEnded;
    private boolean timedOut;
    private boolean closed;

    /**
     * @param timeout  how long the client has, once the close is requested, to end
     * @param maxBytes what may be discarded before the client is taken to have ended
     * @param closer   closes the connection; called at most once, never while a callback is under way
     */
    LingeringClose(Duration timeout, long maxBytes, Timer timer, Runnable closer) {
        this.timeout = timeout;
        this.maxBytes = maxBytes;
        this.timer = timer;
        this.closer = closer;
    }

    /** A container callback begins; false if the connection is closed already, and the callback is to do nothing. */
    synchronized boolean enter() {
        if (closed) {
            return false;
        }
        callbacks++;
        return true;
    }

    /** The callback that {@link #enter} let in ends: closes the connection if that came due meanwhile. */
    void leave() {
        boolean close;
        synchronized (this) {
            callbacks--;
            close = claimIfDue();
        }
        if (close) {
            closer.run();
        }
    }

    /** {@code bytes} more were read and discarded. */
    synchronized void discarded(int bytes) {
        discarded += bytes;
        if (discarded > maxBytes) {
            clientEnded = true;
        }
    }

    /** The client has ended: its close frame came, its input ended or failed. */
    synchronized void clientEnded() {
        clientEnded = true;
    }

    /** Whether reading is to stop: the connection is closed or its close has come due. */
    synchronized boolean isOver() {
        return closed || clientEnded || timedOut;
    }

    /**
     * The session is closed and its close frame sent: closes the connection now if the client has
     * ended already (and no callback is under way), else starts the timeout. Later calls do nothing.
     */
    void closeRequested() {
        boolean close;
        synchronized (this) {
            if (closeRequested) {
                return;
            }
            closeRequested = true;
            close = claimIfDue();
        }
        if (close) {
            closer.run();
        } else {
            timer.schedule(timeout, this::timeOut);
        }
    }

    private void timeOut() {
        boolean close;
        synchronized (this) {
            timedOut = true;
            close = claimIfDue();
        }
        if (close) {
            closer.run();
        }
    }

    private boolean claimIfDue() {
        if (closed || callbacks > 0 || !closeRequested || !(clientEnded || timedOut)) {
            return false;
        }
        closed = true;
        return true;
    }
}
