package co.signalchannel.web;

import jakarta.servlet.ReadListener;

import java.io.IOException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The read listener the container calls for a guarded connection: every call goes to the WebSocket
 * implementation's listener until a frame is refused; from then on the implementation hears
 * nothing more, and what the client still sends is read and discarded here, until the
 * {@link LingeringClose} is over.
 *
 * <p>Why the discarding happens in this listener, on the container's callback threads: with
 * servlet non-blocking IO the container calls {@code onDataAvailable} again only once its stream's
 * {@code isReady()} has said false, and the implementation stops reading at the refusal (the
 * guarded stream's {@code isReady()} says false without asking the container). So each callback
 * after the refusal reads until the container itself has nothing more at hand, which keeps the
 * callbacks coming for as long as the client sends. Each callback is bracketed by {@link
 * LingeringClose#enter} and {@link LingeringClose#leave}, so the connection is never closed under a
 * read.
 */
final class LingeringReadListener implements ReadListener {

    private static final Logger LOG = Logger.getLogger(LingeringReadListener.class.getName());

    /** Bytes read at a time while discarding, into one buffer per refused connection. */
    static final int DISCARD_CHUNK = 8192;

    private final ReadListener listener;
    private final FrameLimitInputStream input;
    private final LingeringClose linger;
    private byte[] scratch;

    LingeringReadListener(ReadListener listener, FrameLimitInputStream input, LingeringClose linger) {
        this.listener = listener;
        this.input = input;
        this.linger = linger;
    }

    @Override
    public void onDataAvailable() throws IOException {
        if (!linger.enter()) {
            return;
        }
        try {
            if (!input.isRefused()) {
                listener.onDataAvailable();
            }
            if (input.isRefused()) {
                discardWhatIsAtHand();
            }
        } finally {
            linger.leave();
        }
    }

    private void discardWhatIsAtHand() {
        if (scratch == null) {
            scratch = new byte[DISCARD_CHUNK];
        }
        try {
            while (!linger.isOver() && input.canDiscard()) {
                int read = input.discard(scratch);
                if (read < 0 || input.closeFrameReceived()) {
                    linger.clientEnded();
                } else {
                    linger.discarded(read);
                }
            }
        } catch (IOException | RuntimeException e) {
            // the client reset the connection, or the container closed it: nothing more to wait for
            LOG.log(Level.FINE, "reading a client whose frame was refused failed", e);
            linger.clientEnded();
        }
    }

    @Override
    public void onAllDataRead() throws IOException {
        if (input.isRefused()) {
            clientEnded();
        } else {
            listener.onAllDataRead();
        }
    }

    @Override
    public void onError(Throwable failure) {
        if (input.isRefused()) {
            clientEnded();
        } else {
            listener.onError(failure);
        }
    }

    private void clientEnded() {
        if (linger.enter()) {
            linger.clientEnded();
            linger.leave();
        }
    }
}
