package co.signalchannel.web;

import co.signalchannel.connection.Connections;
import co.signalchannel.connection.EndpointBeans;
import co.signalchannel.echo.EchoHub;
import co.signalchannel.namespace.Usage;
import co.signalchannel.relay.RelayExchange;
import co.signalchannel.scuttlebutt.ByteBudget;
import co.signalchannel.scuttlebutt.ScuttlebuttHub;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.util.Map;
import java.util.function.Function;

/**
 * What the server holds right now, as JSON:
 * <ul>
 *   <li>{@code GET /v1/stats}: sessions and namespaces per endpoint, the bytes the scuttlebutt
 *       models retain together ({@code "bytes"}) and the most they may ({@code "maxBytes"}), and
 *       (once a session has been opened) {@code "websocket"}, the container's WebSocket session
 *       class;</li>
 *   <li>{@code GET /v1/stats/{endpoint}/{namespace}}: the sessions of one namespace.</li>
 * </ul>
 * Namespace names are never listed (a relay rendezvous can be a secret); only someone who
 * already knows a name can ask about it.
 */
@WebServlet("/v1/stats/*")
public class StatsServlet extends HttpServlet {

    private static final Map<String, Function<String, Integer>> NAMESPACE_SESSIONS = Map.of(
            "echo", name -> EndpointBeans.get(EchoHub.class).sessions(name),
            "scuttlebutt", name -> EndpointBeans.get(ScuttlebuttHub.class).sessions(name),
            "relay", name -> EndpointBeans.get(RelayExchange.class).sessions(name));

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String path = request.getPathInfo();
        JsonObject body;
        if (path == null || path.equals("/")) {
            Connections connections = EndpointBeans.get(Connections.class);
            JsonObjectBuilder stats = Json.createObjectBuilder()
                    .add("sessions", connections.openSessions())
                    .add("echo", usage(EndpointBeans.get(EchoHub.class).usage()))
                    .add("scuttlebutt", scuttlebutt(EndpointBeans.get(ScuttlebuttHub.class)))
                    .add("relay", usage(EndpointBeans.get(RelayExchange.class).usage()));
            String websocket = connections.sessionImplementation();
            if (websocket != null) {
                stats.add("websocket", websocket);
            }
            body = stats.build();
        } else {
            String[] parts = path.substring(1).split("/", 2);
            Function<String, Integer> sessions = NAMESPACE_SESSIONS.get(parts[0]);
            if (sessions == null || parts.length < 2 || parts[1].isEmpty()) {
                response.sendError(HttpServletResponse.SC_NOT_FOUND,
                        "expected /v1/stats or /v1/stats/{echo|scuttlebutt|relay}/{namespace}");
                return;
            }
            body = Json.createObjectBuilder().add("sessions", sessions.apply(parts[1])).build();
        }
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        response.setHeader("Cache-Control", "no-store");
        response.getWriter().write(body.toString());
    }

    /** The endpoint's usage, and the bytes its models retain together out of the most they may. */
    private static JsonObjectBuilder scuttlebutt(ScuttlebuttHub hub) {
        ByteBudget memory = hub.memory();
        return usage(hub.usage())
                .add("bytes", memory.used())
                .add("maxBytes", memory.max());
    }

    private static JsonObjectBuilder usage(Usage usage) {
        return Json.createObjectBuilder()
                .add("namespaces", usage.namespaces())
                .add("sessions", usage.sessions());
    }
}
