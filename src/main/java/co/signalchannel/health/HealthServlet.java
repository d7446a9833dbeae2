package co.signalchannel.health;

import co.signalchannel.cluster.ClusterNode;
import co.signalchannel.connection.Connections;
import co.signalchannel.connection.EndpointBeans;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code GET /health/live} and {@code GET /health/ready} ({@link Probes}): JSON in the MicroProfile
 * Health shape, 200 when UP, 503 when DOWN, never cached. A plain servlet, so every server answers
 * the same (Tomcat has no MicroProfile Health).
 *
 * <p>It also starts the drain ({@link Connections#drain}) when the application stops, from
 * {@link #destroy}: loaded at start-up so the container has an instance to destroy, it is the
 * first application code a stopping server calls. Servlets are destroyed before filters, and
 * filters before {@code ServletContextListener}s (Servlet 6.0 §2.3.4, §6.2.4, §11.2.3) and before
 * CDI's {@code @PreDestroy}; WebSocket implementations stop their sessions from filters or
 * listeners (Tyrus on Payara and in the Tomcat WAR: its upgrade filter's {@code destroy};
 * Undertow on WildFly: a context listener, which closes every session with 1001 and no reason,
 * so that the sessions' own close from {@code @PreDestroy} never went out and nothing queued
 * was flushed). Draining here runs while every server can still write to the sessions.
 */
@WebServlet(urlPatterns = {"/health/live", "/health/ready"}, loadOnStartup = 1)
public class HealthServlet extends HttpServlet {

    private static final Logger LOG = Logger.getLogger(HealthServlet.class.getName());

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        boolean live = request.getServletPath().endsWith("/live");
        HealthReport report;
        try {
            report = live ? live() : ready();
        } catch (IllegalStateException notYet) {
            // CDI.current() before the container has started CDI for this application
            report = Probes.unavailable(live ? "application" : "sessions", "starting");
        }
        response.setStatus(report.httpStatus());
        response.setHeader("Cache-Control", "no-store");
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        byte[] body = report.toJson().toString().getBytes(StandardCharsets.UTF_8);
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }

    private static HealthReport live() {
        Connections connections = EndpointBeans.get(Connections.class);
        return Probes.live(new Probes.Liveness(connections.timersRunning(), connections.openSessions()));
    }

    private static HealthReport ready() {
        Connections connections = EndpointBeans.get(Connections.class);
        ClusterNode cluster = EndpointBeans.get(ClusterNode.class);
        return Probes.ready(new Probes.Readiness(connections.phase(), connections.openSessions(),
                cluster.enabled(), cluster.available(), cluster.nodeId()));
    }

    @Override
    public void destroy() {
        try {
            EndpointBeans.get(Connections.class).drain();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "could not drain the sessions before stopping; they are dropped", e);
        }
    }
}
