package co.signalchannel.testing;

import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.annotation.WebListener;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Test-only part of a deployment: records every problem the server logs while the application is
 * deployed (a record at WARNING or above, or any record carrying an exception, from the container
 * or from us) and serves them at {@code GET /test/server-log}, one per line; {@code DELETE} forgets
 * them. In-container tests that must leave the log clean deploy it with
 * {@link Deployments#watchingServerLog}.
 *
 * <p>Tomcat's JULI gives each class loader its own root logger, so the container's problems are
 * logged on other roots than the application's: the handler joins the root logger seen from every
 * class loader between the application's and the system's.
 */
@WebListener
public class ServerLog implements ServletContextListener {

    private static final ConcurrentLinkedQueue<String> PROBLEMS = new ConcurrentLinkedQueue<>();
    private static final int MAX_KEPT = 200;
    private static final List<Logger> ROOTS = new ArrayList<>();

    private static final Handler RECORDER = new Recorder();

    private static final class Recorder extends Handler {
        @Override
        public void publish(LogRecord record) {
            if ((record.getLevel().intValue() >= Level.WARNING.intValue() || record.getThrown() != null)
                    && PROBLEMS.size() < MAX_KEPT) {
                PROBLEMS.add(describe(record));
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }

    /** The classes a deployment needs to record its server's log (see {@link Deployments#watchingServerLog}). */
    static Class<?>[] classes() {
        return new Class<?>[]{ServerLog.class, Recorder.class, Served.class};
    }

    @Override
    public void contextInitialized(ServletContextEvent event) {
        Thread thread = Thread.currentThread();
        ClassLoader original = thread.getContextClassLoader();
        Set<Logger> joined = Collections.newSetFromMap(new IdentityHashMap<>());
        try {
            for (ClassLoader loader = getClass().getClassLoader(); loader != null; loader = loader.getParent()) {
                thread.setContextClassLoader(loader);
                Logger root = Logger.getLogger("");
                if (joined.add(root)) {
                    root.addHandler(RECORDER);
                }
            }
        } finally {
            thread.setContextClassLoader(original);
        }
        synchronized (ROOTS) {
            ROOTS.addAll(joined);
        }
    }

    @Override
    public void contextDestroyed(ServletContextEvent event) {
        synchronized (ROOTS) {
            ROOTS.forEach(root -> root.removeHandler(RECORDER));
            ROOTS.clear();
        }
    }

    private static String describe(LogRecord record) {
        StringBuilder line = new StringBuilder()
                .append(record.getLevel()).append(' ').append(record.getLoggerName()).append(": ")
                .append(String.valueOf(record.getMessage()).replace('\n', ' '));
        for (Throwable thrown = record.getThrown(); thrown != null; thrown = thrown.getCause()) {
            line.append(" | ").append(thrown);
            StackTraceElement[] frames = thrown.getStackTrace();
            for (int i = 0; i < Math.min(6, frames.length); i++) {
                line.append(" at ").append(frames[i]);
            }
        }
        return line.toString().replace('\n', ' ');
    }

    /** {@code /test/server-log}: the problems recorded so far, one per line. */
    @WebServlet("/test/server-log")
    public static class Served extends HttpServlet {
        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            response.setContentType("text/plain;charset=UTF-8");
            try (PrintWriter out = response.getWriter()) {
                PROBLEMS.forEach(out::println);
            }
        }

        @Override
        protected void doDelete(HttpServletRequest request, HttpServletResponse response) {
            PROBLEMS.clear();
            response.setStatus(HttpServletResponse.SC_NO_CONTENT);
        }
    }
}
