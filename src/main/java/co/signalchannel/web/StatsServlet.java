package co.signalchannel.web;

import co.signalchannel.connection.EndpointBeans;
import co.signalchannel.echo.EchoHub;
import co.signalchannel.relay.RelayExchange;
import co.signalchannel.scuttlebutt.ScuttlebuttHub;
import jakarta.json.Json;
import jakarta.json.JsonObject;
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
 *       models retain together ({@code "bytes"}) and the most they may ({@code "maxBytes"}),
 *       (once a session has been opened) {@code "websocket"}, the container's WebSocket session
 *       class, and in a cluster this node's id ({@code "node"}) and every live node's figures
 *       with the totals ({@code "cluster"}) ({@link ServerStats});</li>
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
            body = EndpointBeans.get(ServerStats.class).all();
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
}
