package co.signalchannel.web;

import co.signalchannel.access.AccessGate;
import co.signalchannel.access.Visitor;
import co.signalchannel.connection.Connections;
import co.signalchannel.connection.EndpointBeans;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Answers a WebSocket opening handshake to the endpoints that RFC 6455 or the namespace rule
 * forbids with 400 (405 for a method other than GET) and a line of plain text saying what was
 * wrong, before the container's WebSocket implementation sees it ({@link OpeningHandshake}); then
 * answers 503 while the server starts or drains; then lets {@link AccessGate} check its origin
 * (403), its address's limits (429) and its token.
 *
 * <p>It runs first on every server because it is declared: Tyrus (Payara, and the Tomcat WAR) and
 * Undertow (WildFly) add their upgrade filters from code, mapped after every declared filter. Some
 * requests never reach it: each server's HTTP layer refuses some malformed request lines and paths
 * itself, and Payara's at times fails on a path ending in {@code /..} or {@code /.} and answers an
 * empty 200 before any application code runs (docs/protocol.md lists them per server).
 */
@WebFilter(urlPatterns = "/v1/*", asyncSupported = true)
public class OpeningHandshakeFilter extends HttpFilter {

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (!OpeningHandshake.isRequested(name -> headers(request, name))) {
            chain.doFilter(request, response);
            return;
        }
        OpeningHandshake handshake = new OpeningHandshake(request.getMethod(), request.getProtocol(),
                name -> headers(request, name), pathBelowContext(request));
        Optional<OpeningHandshake.Refusal> refusal = handshake.refusal();
        if (refusal.isPresent()) {
            refuse(response, refusal.get());
            return;
        }
        Optional<OpeningHandshake.Refusal> unready = unready();
        if (unready.isPresent()) {
            refuse(response, unready.get());
            return;
        }
        AccessGate.Verdict verdict = EndpointBeans.get(AccessGate.class).handshake(new AccessGate.Handshake(
                headers(request, "Origin"), request.getHeader("Host"), request.getRemoteAddr(),
                headers(request, "Forwarded"), headers(request, "X-Forwarded-For"),
                headers(request, "Sec-WebSocket-Protocol"),
                handshake.target().map(OpeningHandshake.Target::endpoint).orElse(null),
                handshake.target().map(OpeningHandshake.Target::namespace).orElse(null)));
        if (verdict instanceof AccessGate.Refused refused) {
            refuse(response, new OpeningHandshake.Refusal(refused.status(), refused.message()));
            return;
        }
        chain.doFilter(new VisitorRequest(request, ((AccessGate.Admitted) verdict).visitor()), response);
    }

    /**
     * 503 with {@code Retry-After} while the server does not admit sessions: still deploying (CDI
     * not started for the application yet, which made the bean look-up below throw and the server
     * answer 500, or started but the application not yet initialized), or draining before it stops.
     */
    private static Optional<OpeningHandshake.Refusal> unready() {
        Connections connections;
        try {
            connections = EndpointBeans.get(Connections.class);
        } catch (IllegalStateException notStarted) {
            return Optional.of(STARTING);
        }
        return switch (connections.phase()) {
            case OPEN -> Optional.empty();
            case STARTING -> Optional.of(STARTING);
            case DRAINING, STOPPED -> Optional.of(STOPPING);
        };
    }

    private static final OpeningHandshake.Refusal STARTING = new OpeningHandshake.Refusal(503,
            "server starting; try again shortly", Map.of("Retry-After", "2"));
    private static final OpeningHandshake.Refusal STOPPING = new OpeningHandshake.Refusal(503,
            "server shutting down; try again (another server, or this one once restarted)", Map.of("Retry-After", "5"));

    /**
     * The request as the WebSocket implementation sees it: its user principal is the visitor, which
     * every server (Tyrus through its servlet filter, Undertow through its handshake) makes the
     * session's {@code getUserPrincipal()}.
     */
    private static final class VisitorRequest extends HttpServletRequestWrapper {

        private final Visitor visitor;

        VisitorRequest(HttpServletRequest request, Visitor visitor) {
            super(request);
            this.visitor = visitor;
        }

        @Override
        public Principal getUserPrincipal() {
            return visitor;
        }
    }

    private static List<String> headers(HttpServletRequest request, String name) {
        return Collections.list(request.getHeaders(name));
    }

    /** The path as the client sent it: getRequestURI is neither decoded nor normalised, unlike getServletPath. */
    private static String pathBelowContext(HttpServletRequest request) {
        String uri = request.getRequestURI();
        String context = request.getContextPath();
        return uri.startsWith(context) ? uri.substring(context.length()) : uri;
    }

    private static void refuse(HttpServletResponse response, OpeningHandshake.Refusal refusal) throws IOException {
        response.setStatus(refusal.status());
        refusal.headers().forEach(response::setHeader);
        response.setHeader("X-Content-Type-Options", "nosniff");
        response.setContentType("text/plain;charset=UTF-8");
        byte[] body = (refusal.message() + "\n").getBytes(StandardCharsets.UTF_8);
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }
}
