package co.signalchannel.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;

/**
 * Lets pages on any origin import the browser client ({@code /js/*}): module scripts are fetched
 * with CORS, so without this header only pages served by this server could use it. The client
 * holds no secrets and the endpoints are open WebSockets anyway.
 */
@WebFilter("/js/*")
public class ClientLibraryCorsFilter extends HttpFilter {

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        response.setHeader("Access-Control-Allow-Origin", "*");
        chain.doFilter(request, response);
    }
}
