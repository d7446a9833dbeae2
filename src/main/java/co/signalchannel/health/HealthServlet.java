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
 * filters before {@code ServletContextListener}s and CDI's {@code @PreDestroy} (Servlet 6.0 §4.4 and
 * §11.2.3; Tomcat's and Payara's {@code StandardContext.stop}, Undertow's deployment manager), while
 * the WebSocket implementations stop with the filters or listeners: Tyrus (Payara, the Tomcat WAR)
 * drops every connection in its upgrade filter's {@code destroy}, without a close frame, and
 * Undertow (WildFly) closes its sessions from a context listener. Closing the sessions only in
 * {@code @PreDestroy}, as before, left clients with 1006.
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
