package co.signalchannel.web;

import jakarta.servlet.ReadListener;

import java.io.IOException;

/**
 * Tyrus' read listener, with the end of the connection ({@code onAllDataRead}, {@code onError})
 * held back until Tyrus' upgrade handler has finished {@code init}, and then delivered.
 *
 * <p>Why: Tyrus' handler registers itself as read listener before it creates its connection,
 * which opens the session. A client that drops the connection right after the handshake can have
 * the container (Grizzly, on Payara) report the end in between, on another thread; Tyrus' close
 * then meets no connection yet, swallows the NullPointerException at level CONFIG and never tries
 * again, so the session opened a moment later stays open, unread, until the heartbeat ends it
 * (issue 10). Data arriving early needs nothing: Tyrus' {@code onDataAvailable} waits for
 * {@code init} itself.
 */
final class OpenedFirstReadListener implements ReadListener {

    private final ReadListener listener;
    private boolean opened;
    private Runnable heldEnd;

    OpenedFirstReadListener(ReadListener listener) {
        this.listener = listener;
    }

    /** Called once the handler's {@code init} has returned (or failed): delivers a held end. */
    void opened() {
        Runnable end;
        synchronized (this) {
            opened = true;
            end = heldEnd;
            heldEnd = null;
        }
        if (end != null) {
            end.run();
        }
    }

    @Override
    public void onDataAvailable() throws IOException {
        listener.onDataAvailable();
    }

    @Override
    public void onAllDataRead() {
        deliver(() -> {
            try {
                listener.onAllDataRead();
            } catch (IOException e) {
                listener.onError(e);
            }
        });
    }

    @Override
    public void onError(Throwable failure) {
        deliver(() -> listener.onError(failure));
    }

    private void deliver(Runnable end) {
        synchronized (this) {
            if (!opened) {
                heldEnd = end;
                return;
            }
        }
        end.run();
    }
}
