package co.signalchannel.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * Answers a WebSocket opening handshake to the endpoints that RFC 6455 or the namespace rule
 * forbids with 400 (405 for a method other than GET) and a line of plain text saying what was
 * wrong, before the container's WebSocket implementation sees it ({@link OpeningHandshake}).
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
        Optional<OpeningHandshake.Refusal> refusal = new OpeningHandshake(request.getMethod(), request.getProtocol(),
                name -> headers(request, name), pathBelowContext(request)).refusal();
        if (refusal.isEmpty()) {
            chain.doFilter(request, response);
            return;
        }
        refuse(response, refusal.get());
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
