package co.signalchannel.web;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonException;
import jakarta.json.JsonReader;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.io.StringReader;

/**
 * {@code GET /v1/ice-servers}: the STUN/TURN servers browsers should use, as a JSON array of
 * {@code RTCIceServer} objects, e.g. {@code [{"urls": "turn:turn.example.org:3478",
 * "username": "u", "credential": "p"}]}. The browser client fetches it with
 * {@code iceServers: 'v1/ice-servers'}.
 *
 * <p>Set with the system property or context parameter {@code signalchannel.ice-servers}, or the
 * environment variable {@code SIGNALCHANNEL_ICE_SERVERS}; the default is {@code []}: no server
 * is contacted unless the operator names one. A value that is not a JSON array stops the
 * deployment.
 */
@WebServlet(urlPatterns = "/v1/ice-servers", loadOnStartup = 1)
public class IceServersServlet extends HttpServlet {

    static final String PROPERTY = "signalchannel.ice-servers";
    static final String ENVIRONMENT = "SIGNALCHANNEL_ICE_SERVERS";

    private String iceServers;

    @Override
    public void init() throws ServletException {
        String configured = System.getProperty(PROPERTY);
        if (configured == null) {
            configured = System.getenv(ENVIRONMENT);
        }
        if (configured == null) {
            configured = getServletContext().getInitParameter(PROPERTY);
        }
        iceServers = configured == null || configured.isBlank() ? "[]" : parse(configured).toString();
    }

    static JsonArray parse(String configured) throws ServletException {
        try (JsonReader reader = Json.createReader(new StringReader(configured))) {
            return reader.readArray();
        } catch (JsonException | IllegalStateException e) {
            throw new ServletException(PROPERTY + " must be a JSON array of RTCIceServer objects, got: " + configured, e);
        }
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        response.setHeader("Cache-Control", "no-store"); // TURN credentials may rotate
        response.getWriter().write(iceServers);
    }
}
