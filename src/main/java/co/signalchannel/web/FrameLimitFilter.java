package co.signalchannel.web;

import co.signalchannel.config.Setting;
import co.signalchannel.config.Settings;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpUpgradeHandler;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Has every frame a client sends to the endpoints checked against {@code message.max-bytes} from
 * its header, where Tyrus serves them (Payara, the Tomcat WAR): a frame declaring more is refused
 * with 1009 at once, before any of its payload is buffered ({@link FrameSizeGuard}).
 *
 * <p>Why: Tyrus buffers a frame whole before any size check, up to its own input buffer (4 MiB),
 * and answers a larger one with 1011 "Buffer overflow.", a 64-bit length it cannot hold with 1011
 * and a negative number, and one whose payload never comes with silence (issue 10). The refused
 * client's connection is closed only once it has ended its side or {@code close.timeout-ms} has
 * passed ({@link LingeringClose}), so that a client still sending the refused frame is not reset
 * before it reads the 1009.
 *
 * <p>How: Tyrus' servlet integration upgrades the connection with {@code
 * request.upgrade(TyrusHttpUpgradeHandler.class)} from its own filter, which runs after this
 * declared one. The request this filter passes on answers that call by having the container run a
 * {@link FrameLimitUpgradeHandler} and handing Tyrus a fresh instance of the class it asked for
 * (or the subclass named by the context attribute {@link #TYRUS_HANDLER_ATTRIBUTE}), which the
 * guard initialises with the connection seen through the guard. Undertow (WildFly) upgrades
 * without {@code request.upgrade} and refuses oversized frames itself; nothing changes there.
 */
@WebFilter(urlPatterns = "/v1/*", asyncSupported = true)
public class FrameLimitFilter extends HttpFilter {

    /** Tyrus' servlet upgrade handler, the class whose upgrade this filter guards. */
    static final String TYRUS_HANDLER = "org.glassfish.tyrus.servlet.TyrusHttpUpgradeHandler";

    /**
     * A context attribute holding a subclass of Tyrus' handler to run in its place (the Tomcat WAR
     * sets it, see {@code co.signalchannel.tomcat}).
     */
    public static final String TYRUS_HANDLER_ATTRIBUTE = "co.signalchannel.tyrus-upgrade-handler";

    private long maxMessageBytes;
    private Duration closeTimeout;
    private ScheduledThreadPoolExecutor lingerTimer;

    @Override
    public void init() {
        Settings settings = Settings.resolve(System::getProperty, System::getenv, getServletContext()::getInitParameter);
        maxMessageBytes = settings.get(Setting.MESSAGE_MAX_BYTES);
        closeTimeout = settings.duration(Setting.CLOSE_TIMEOUT_MS);
        lingerTimer = new ScheduledThreadPoolExecutor(1, task -> {
            Thread thread = new Thread(task, "signal-channel-linger");
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Connections still lingering after a refusal are closed at their time all the same: the
     * timer's thread ends once the last of them is, within {@code close.timeout-ms}.
     */
    @Override
    public void destroy() {
        lingerTimer.shutdown();
    }

    private void schedule(Duration delay, Runnable task) {
        try {
            lingerTimer.schedule(task, delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException stopping) {
            task.run(); // the application is being stopped: no reason to wait
        }
    }

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if ("websocket".equalsIgnoreCase(request.getHeader("Upgrade"))) {
            request = new GuardedUpgrade(request);
        }
        chain.doFilter(request, response);
    }

    private final class GuardedUpgrade extends HttpServletRequestWrapper {

        GuardedUpgrade(HttpServletRequest request) {
            super(request);
        }

        @Override
        public <T extends HttpUpgradeHandler> T upgrade(Class<T> handler) throws IOException, ServletException {
            if (!isTyrusHandler(handler)) {
                return super.upgrade(handler);
            }
            Class<? extends T> chosen = handler;
            Object substitute = getServletContext().getAttribute(TYRUS_HANDLER_ATTRIBUTE);
            if (substitute instanceof Class<?> subclass && handler.isAssignableFrom(subclass)) {
                chosen = subclass.asSubclass(handler);
            }
            T tyrus;
            try {
                tyrus = chosen.getDeclaredConstructor().newInstance();
            } catch (ReflectiveOperationException e) {
                throw new ServletException("cannot create Tyrus' upgrade handler " + chosen.getName(), e);
            }
            super.upgrade(FrameLimitUpgradeHandler.class)
                    .guard(tyrus, maxMessageBytes, closeTimeout, FrameLimitFilter.this::schedule);
            return tyrus;
        }
    }

    private static boolean isTyrusHandler(Class<?> handler) {
        for (Class<?> type = handler; type != null; type = type.getSuperclass()) {
            if (type.getName().equals(TYRUS_HANDLER)) {
                return true;
            }
        }
        return false;
    }
}
