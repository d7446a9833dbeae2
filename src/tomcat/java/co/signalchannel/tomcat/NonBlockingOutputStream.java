package co.signalchannel.tomcat;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Logger;

/**
 * An upgraded connection's output stream, switched to non-blocking mode as soon as it is made,
 * which forwards the container's write-possible calls to whichever listener Tyrus registers later,
 * closes the connection only once what was written has been sent, and fails what Tyrus writes
 * once the connection has failed, without Tyrus logging a warning for it (see {@link #onError}).
 */
final class NonBlockingOutputStream extends ServletOutputStream implements WriteListener {

    private static final Logger LOG = Logger.getLogger(NonBlockingOutputStream.class.getName());

    /** How long a closing connection may take to send what is still queued for it (its close frame). */
    static final Duration CLOSE_GRACE = Duration.ofSeconds(10);

    /** Closes the connection itself. */
    @FunctionalInterface
    interface Closing {
        void close() throws Exception;
    }

    private final ServletOutputStream stream;
    private volatile WriteListener listener;
    private final AtomicReference<Closing> pendingClose = new AtomicReference<>();
    /** The failure that ended the connection, once the container has reported one. */
    private final AtomicReference<IOException> broken = new AtomicReference<>();

    NonBlockingOutputStream(ServletOutputStream stream) {
        this.stream = stream;
        stream.setWriteListener(this);
    }

    /** True once the connection has failed too: a write can then only fail, and fails at once. */
    @Override
    public boolean isReady() {
        return broken.get() != null || stream.isReady();
    }

    @Override
    public void setWriteListener(WriteListener writeListener) {
        listener = writeListener;
        // Tyrus registers once it has found the stream busy; if the stream drained in between, the
        // container's call found no listener yet, so make that call now.
        if (isReady()) {
            forwardWritePossible();
        }
    }

    @Override
    public void onWritePossible() {
        forwardWritePossible();
        if (pendingClose.get() != null && isReady()) {
            closeNow();
        }
    }

    private void forwardWritePossible() {
        WriteListener target = listener;
        if (target != null) {
            try {
                target.onWritePossible();
            } catch (IOException e) {
                connectionFailed(e);
            }
        }
    }

    /**
     * The container could not send what was written. An {@link IOException} there is the
     * connection's end, not the server's fault: the client reset or closed it under a write
     * (Broken pipe, Connection reset) or the network failed. Tyrus' servlet writer, told of it
     * through its own {@code onError}, logs a warning with the whole stack trace for every such
     * connection ({@code TyrusServletWriter.onError} in Tyrus 2.2.0), and then fails the frames it
     * still queues. So it is not told: the stream is marked broken, logged in one FINE line, and
     * Tyrus is asked to write again; it hands each queued frame to a write that fails at once, and
     * its {@code _write} reports that failure to the frame's completion handler without logging,
     * as it does for any frame whose write fails. Any other failure goes to Tyrus as before.
     */
    @Override
    public void onError(Throwable failure) {
        if (failure instanceof IOException lost) {
            connectionFailed(lost);
        } else {
            WriteListener target = listener;
            if (target != null) {
                target.onError(failure);
            }
        }
        closeNow();
    }

    private void connectionFailed(IOException failure) {
        if (broken.compareAndSet(null, failure)) {
            LOG.fine(() -> "connection failed while sending: " + failure);
            forwardWritePossible();
        }
    }

    private void failIfBroken() throws IOException {
        IOException failure = broken.get();
        if (failure != null) {
            throw new IOException("the connection failed earlier: " + failure.getMessage(), failure);
        }
    }

    @Override
    public void write(int b) throws IOException {
        failIfBroken();
        stream.write(b);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        failIfBroken();
        stream.write(bytes, offset, length);
    }

    @Override
    public void flush() throws IOException {
        failIfBroken();
        // Tyrus flushes after every frame. In non-blocking mode the container sends what a write
        // could not by itself, and refuses a flush while that is still under way.
        if (stream.isReady()) {
            stream.flush();
        }
    }

    /**
     * Closes the connection once everything written (and queued by Tyrus) has been sent, or after
     * {@link #CLOSE_GRACE} if the peer does not read it, or at once if the connection has failed:
     * Tyrus closes the connection right after writing a close frame, and a non-blocking close would
     * drop the frame if it has not left yet.
     */
    void closeWhenSent(Closing connection) {
        pendingClose.set(connection);
        forwardWritePossible();
        if (isReady()) {
            closeNow();
        } else {
            CompletableFuture.delayedExecutor(CLOSE_GRACE.toMillis(), TimeUnit.MILLISECONDS).execute(this::closeNow);
        }
    }

    private void closeNow() {
        Closing connection = pendingClose.getAndSet(null);
        if (connection != null) {
            try {
                flush();
            } catch (IOException | RuntimeException e) {
                // the peer is gone or not reading; close regardless
            }
            try {
                connection.close();
            } catch (Exception e) {
                // already closed
            }
        }
    }
}
