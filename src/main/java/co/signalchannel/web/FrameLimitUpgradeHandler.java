package co.signalchannel.web;

import co.signalchannel.connection.CloseCodes;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpUpgradeHandler;
import jakarta.servlet.http.WebConnection;
import jakarta.websocket.CloseReason;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The upgrade handler the container runs in place of Tyrus' own ({@link FrameLimitFilter}): it
 * hands Tyrus' handler the connection with its input stream read through a {@link FrameSizeGuard},
 * and closes the session with 1009 through Tyrus when the guard refuses a frame. It also holds back
 * the end of a connection the container reports before Tyrus' {@code init} is done
 * ({@link OpenedFirstReadListener}).
 *
 * <p>Tyrus closes the connection right after its close frame. After a refusal that close is held
 * back ({@link LingeringClose}): the client is usually still sending the refused frame, and
 * closing with its bytes unread would reset the connection under the close frame. What the client
 * sends meanwhile is read and discarded by {@link LingeringReadListener}, never handed to Tyrus.
 */
public class FrameLimitUpgradeHandler implements HttpUpgradeHandler {

    private static final Logger LOG = Logger.getLogger(FrameLimitUpgradeHandler.class.getName());

    private volatile HttpUpgradeHandler tyrus;
    private long maxMessageBytes;
    private Duration closeTimeout;
    private LingeringClose.Timer timer;

    /**
     * @param closeTimeout how long a client whose frame was refused has to end its side of the
     *                     connection once the close frame has been sent
     * @param timer        runs that timeout
     */
    void guard(HttpUpgradeHandler tyrusHandler, long limit, Duration closeTimeout, LingeringClose.Timer timer) {
        this.tyrus = tyrusHandler;
        this.maxMessageBytes = limit;
        this.closeTimeout = closeTimeout;
        this.timer = timer;
    }

    @Override
    public void init(WebConnection connection) {
        GuardedConnection guarded = new GuardedConnection(connection);
        try {
            tyrus.init(guarded);
        } finally {
            guarded.opened();
        }
    }

    /**
     * Also forgets Tyrus' handler: Payara's {@code org.apache.catalina.connector.Request.recycle()}
     * does not clear the upgrade handler it holds, so every pooled request would keep the handler of
     * the last connection it upgraded, with Tyrus' input buffers (up to 4 MiB each) in it.
     */
    @Override
    public void destroy() {
        HttpUpgradeHandler handler = tyrus;
        tyrus = null;
        if (handler != null) {
            handler.destroy();
        }
    }

    /**
     * Closes the session as Tyrus closes it for a failed read: through the {@code Connection}
     * (Tyrus' SPI) its servlet handler keeps in the field {@code connection}, which sends the close
     * frame and runs the endpoint's {@code @OnClose}.
     */
    private void closeTooBig(String reason) throws IOException {
        CloseReason tooBig = new CloseReason(CloseReason.CloseCodes.getCloseCode(CloseCodes.MESSAGE_TOO_BIG), reason);
        HttpUpgradeHandler handler = tyrus;
        try {
            for (Class<?> type = handler.getClass(); type != null; type = type.getSuperclass()) {
                try {
                    Field field = type.getDeclaredField("connection");
                    field.setAccessible(true);
                    Object connection = field.get(handler);
                    Method close = field.getType().getMethod("close", CloseReason.class);
                    close.invoke(connection, tooBig);
                    return;
                } catch (NoSuchFieldException notHere) {
                    // look in the superclass
                }
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.log(Level.FINE, "cannot close through Tyrus' connection", e);
        }
        // Tyrus closes a connection whose read fails, with 1003 rather than 1009.
        throw new IOException(reason);
    }

    private final class GuardedConnection implements WebConnection {

        private final WebConnection connection;
        private final LingeringClose linger;
        private FrameLimitInputStream input;
        private OpenedFirstReadListener readListener;
        private boolean opened;

        GuardedConnection(WebConnection connection) {
            this.connection = connection;
            this.linger = new LingeringClose(closeTimeout, LingeringClose.MAX_DISCARDED_BYTES, timer, this::closeNow);
        }

        @Override
        public synchronized ServletInputStream getInputStream() throws IOException {
            if (input == null) {
                input = new FrameLimitInputStream(connection.getInputStream(), new FrameSizeGuard(maxMessageBytes),
                        FrameLimitUpgradeHandler.this::closeTooBig, this::guardListener);
            }
            return input;
        }

        private synchronized ReadListener guardListener(ReadListener listener) {
            readListener = new OpenedFirstReadListener(listener);
            if (opened) {
                readListener.opened();
            }
            return new LingeringReadListener(readListener, input, linger);
        }

        void opened() {
            OpenedFirstReadListener listener;
            synchronized (this) {
                opened = true;
                listener = readListener;
            }
            if (listener != null) {
                listener.opened();
            }
        }

        @Override
        public ServletOutputStream getOutputStream() throws IOException {
            return connection.getOutputStream();
        }

        /**
         * Closes the container's connection at once, or, after a refusal, once the client has ended.
         * On Tomcat this runs only once what was written has been sent or its grace is over ({@code
         * NonBlockingOutputStream.closeWhenSent}, which calls it), and it is often called from a
         * timer's thread (the close timeout of a client that never answers the server's close
         * frame): {@link TomcatUpgradeClose} has Tomcat close the socket then too.
         */
        @Override
        public void close() throws Exception {
            FrameLimitInputStream guarded;
            synchronized (this) {
                guarded = input;
            }
            if (guarded != null && guarded.isRefused()) {
                linger.closeRequested();
            } else {
                TomcatUpgradeClose.close(connection);
            }
        }

        /** Runs on a container thread, or on the timer's: closed from the timer, Tomcat needs a hand. */
        private void closeNow() {
            try {
                TomcatUpgradeClose.close(connection);
            } catch (Exception e) {
                LOG.log(Level.FINE, "cannot close a connection whose frame was refused", e);
            }
        }
    }
}
