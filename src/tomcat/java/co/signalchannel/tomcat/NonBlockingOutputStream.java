package co.signalchannel.tomcat;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An upgraded connection's output stream, switched to non-blocking mode as soon as it is made,
 * which forwards the container's write-possible calls to whichever listener Tyrus registers later,
 * and closes the connection only once what was written has been sent.
 */
final class NonBlockingOutputStream extends ServletOutputStream implements WriteListener {

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

    NonBlockingOutputStream(ServletOutputStream stream) {
        this.stream = stream;
        stream.setWriteListener(this);
    }

    @Override
    public boolean isReady() {
        return stream.isReady();
    }

    @Override
    public void setWriteListener(WriteListener writeListener) {
        listener = writeListener;
        // Tyrus registers once it has found the stream busy; if the stream drained in between, the
        // container's call found no listener yet, so make that call now.
        if (stream.isReady()) {
            forwardWritePossible();
        }
    }

    @Override
    public void onWritePossible() {
        forwardWritePossible();
        if (pendingClose.get() != null && stream.isReady()) {
            closeNow();
        }
    }

    private void forwardWritePossible() {
        WriteListener target = listener;
        if (target != null) {
            try {
                target.onWritePossible();
            } catch (IOException e) {
                target.onError(e);
            }
        }
    }

    @Override
    public void onError(Throwable failure) {
        WriteListener target = listener;
        if (target != null) {
            target.onError(failure);
        }
        closeNow();
    }

    @Override
    public void write(int b) throws IOException {
        stream.write(b);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        stream.write(bytes, offset, length);
    }

    @Override
    public void flush() throws IOException {
        // Tyrus flushes after every frame. In non-blocking mode the container sends what a write
        // could not by itself, and refuses a flush while that is still under way.
        if (stream.isReady()) {
            stream.flush();
        }
    }

    /**
     * Closes the connection once everything written (and queued by Tyrus) has been sent, or after
     * {@link #CLOSE_GRACE} if the peer does not read it: Tyrus closes the connection right after
     * writing a close frame, and a non-blocking close would drop the frame if it has not left yet.
     */
    void closeWhenSent(Closing connection) {
        pendingClose.set(connection);
        forwardWritePossible();
        if (stream.isReady()) {
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
