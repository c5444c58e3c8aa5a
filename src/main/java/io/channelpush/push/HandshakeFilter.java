package io.channelpush.push;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.logging.Logger;

/**
 * Refuses WebSocket handshakes the node should not take, before the container upgrades them: 403 for an origin
 * outside {@code channelpush.allowed-origins}, 503 with {@code Retry-After} when the node is at
 * {@code channelpush.max-connections} or stopping. Other requests pass. (The endpoint's configurator checks the
 * origin too, for containers that run this filter after their own upgrade filter.) Thread-safe.
 */
@WebFilter(filterName = "handshake", urlPatterns = "/*")
public final class HandshakeFilter extends HttpFilter {
    private static final Logger LOG = Logger.getLogger(HandshakeFilter.class.getName());

    private transient PushNode node;

    @Override
    public void init() throws ServletException {
        node = PushNode.of(getServletContext());
    }

    @Override
    protected void doFilter(HttpServletRequest req, HttpServletResponse resp, FilterChain chain)
            throws IOException, ServletException {
        if ("websocket".equalsIgnoreCase(req.getHeader("Upgrade"))) {
            String origin = req.getHeader("Origin");
            if (!node.origins().allows(origin)) {
                LOG.info(() -> "worker " + node.workerId() + " refused a WebSocket from origin " + origin);
                refuse(resp, 403, origin == null ? "a handshake without Origin is not allowed here"
                        : "origin " + origin + " is not allowed");
                return;
            }
            String refusal = null;
            if (!node.accepting()) {
                refusal = "this node is stopping; connect to another one";
            } else if (node.connectionCount() >= node.config().maxConnections()) {
                refusal = "this node holds its maximum of " + node.config().maxConnections()
                        + " connections; try another node or later";
                LOG.warning(() -> "worker " + node.workerId() + " refused a WebSocket: at its limit of "
                        + node.config().maxConnections() + " connections");
            }
            if (refusal != null) {
                resp.setHeader("Retry-After", "5");
                refuse(resp, 503, refusal);
                return;
            }
        }
        chain.doFilter(req, resp);
    }

    private static void refuse(HttpServletResponse resp, int status, String reason) throws IOException {
        resp.setStatus(status);
        resp.setContentType("text/plain;charset=UTF-8");
        resp.getWriter().write(reason + "\n");
    }
}
