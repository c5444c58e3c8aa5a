package io.channelpush.push;

import io.channelpush.push.auth.ConnectionTokens;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import io.channelpush.channel.log.RateLimitedLog;
import java.io.IOException;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.logging.Logger;

/**
 * Refuses WebSocket handshakes the node should not take, before the container upgrades them: 403 for an origin
 * outside {@code channelpush.allowed-origins}, 503 with {@code Retry-After} when the node is at
 * {@code channelpush.max-connections} or stopping, 401 without a valid connection token when
 * {@code channelpush.connection-keys} is set ({@link HandshakeToken}), 414 for a request target longer than
 * {@value #MAX_TARGET_LENGTH} characters (the container keeps the handshake's URL for the connection's life). The connection slot is taken here, atomically, before the
 * upgrade ({@link ConnectionSlots}), and given back when the container does not answer 101. Other requests pass. (The endpoint's configurator checks the
 * origin too, for containers that run this filter after their own upgrade filter.) Thread-safe.
 */
public final class HandshakeFilter extends HttpFilter {
    private static final Logger LOG = Logger.getLogger(HandshakeFilter.class.getName());

    /** Longest path plus query string a handshake may carry. */
    static final int MAX_TARGET_LENGTH = 2048;

    private transient PushNode node;
    private final transient HandshakeVerdicts verdicts;
    private final transient RateLimitedLog badOrigin = new RateLimitedLog(LOG, java.util.logging.Level.INFO);
    private final transient RateLimitedLog full = new RateLimitedLog(LOG, java.util.logging.Level.WARNING);
    private final transient RateLimitedLog badToken = new RateLimitedLog(LOG, java.util.logging.Level.INFO);

    /** @param verdicts where an accepted token's verdict waits for the endpoint's configurator */
    HandshakeFilter(HandshakeVerdicts verdicts) {
        this.verdicts = verdicts;
    }

    @Override
    public void init() throws ServletException {
        node = PushNode.of(getServletContext());
    }

    @Override
    protected void doFilter(HttpServletRequest req, HttpServletResponse resp, FilterChain chain)
            throws IOException, ServletException {
        if ("websocket".equalsIgnoreCase(req.getHeader("Upgrade"))) {
            String query = req.getQueryString();
            if (req.getRequestURI().length() + (query == null ? 0 : query.length()) > MAX_TARGET_LENGTH) {
                refuse(resp, 414, "a WebSocket URL may carry at most " + MAX_TARGET_LENGTH + " characters of path and query");
                return;
            }
            String origin = req.getHeader("Origin");
            if (!node.admission().origins().allows(origin)) {
                badOrigin.log(() -> "worker " + node.workerId() + " refused a WebSocket handshake from origin "
                        + origin + ", outside " + PushConfig.ALLOWED_ORIGINS);
                refuse(resp, 403, origin == null ? "a handshake without Origin is not allowed here"
                        : "origin " + origin + " is not allowed");
                return;
            }
            ConnectionTokens tokens = node.admission().tokens();
            ConnectionTokens.Verdict verdict = null;
            if (tokens != null) {
                ConnectionTokens.Verdict v = HandshakeToken.verify(tokens,
                        values(req.getParameterValues(HandshakeToken.PARAMETER)),
                        Collections.list(req.getHeaders("Authorization")));
                if (!v.accepted()) {
                    badToken.log(() -> "worker " + node.workerId() + " refused a WebSocket handshake without a valid "
                            + "connection token (" + PushConfig.CONNECTION_KEYS + "): " + v.refusal());
                    refuse(resp, 401, v.refusal());
                    return;
                }
                verdict = v;
            }
            String refusal = null;
            if (!node.health().accepting()) {
                refusal = "this node is stopping; connect to another one";
            } else if (!node.admission().slots().reserve()) {
                refusal = "this node holds its maximum of " + node.config().maxConnections()
                        + " connections; try another node or later";
                full.log(() -> "worker " + node.workerId() + " refused a WebSocket handshake at its "
                        + "limit of " + node.config().maxConnections() + " connections (" + PushConfig.MAX_CONNECTIONS
                        + "); raise it if the host has room, or add nodes");
            }
            if (refusal != null) {
                resp.setHeader("Retry-After", "5");
                refuse(resp, 503, refusal);
                return;
            }
            boolean upgraded = false;
            verdicts.offer(verdict);
            try {
                chain.doFilter(req, resp);
                upgraded = resp.getStatus() == HttpServletResponse.SC_SWITCHING_PROTOCOLS;
            } finally {
                verdicts.clear();
                if (!upgraded) {
                    node.admission().slots().cancel();
                }
            }
            return;
        }
        chain.doFilter(req, resp);
    }

    private static List<String> values(String[] values) {
        return values == null ? List.of() : Arrays.asList(values);
    }

    private static void refuse(HttpServletResponse resp, int status, String reason) throws IOException {
        resp.setStatus(status);
        resp.setContentType("text/plain;charset=UTF-8");
        resp.getWriter().write(reason + "\n");
    }
}
