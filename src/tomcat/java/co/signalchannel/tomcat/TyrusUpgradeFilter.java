package co.signalchannel.tomcat;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpUpgradeHandler;
import org.glassfish.tyrus.servlet.TyrusHttpUpgradeHandler;

import java.io.IOException;

/**
 * Runs before Tyrus' own filter (which Tyrus maps after every declared filter) and makes the
 * WebSocket upgrade that Tyrus asks Tomcat for use {@link NonBlockingTyrusUpgradeHandler}.
 */
@WebFilter(urlPatterns = "/*", asyncSupported = true)
public class TyrusUpgradeFilter extends HttpFilter {

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if ("websocket".equalsIgnoreCase(request.getHeader("Upgrade"))) {
            request = new HttpServletRequestWrapper(request) {
                @Override
                public <T extends HttpUpgradeHandler> T upgrade(Class<T> handler) throws IOException, ServletException {
                    if (handler == TyrusHttpUpgradeHandler.class) {
                        return handler.cast(super.upgrade(NonBlockingTyrusUpgradeHandler.class));
                    }
                    return super.upgrade(handler);
                }
            };
        }
        chain.doFilter(request, response);
    }
}
