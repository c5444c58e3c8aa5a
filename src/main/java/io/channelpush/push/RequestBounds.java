package io.channelpush.push;

import io.channelpush.channel.log.RateLimitedLog;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderMap;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.StatusCodes;
import jakarta.servlet.ServletContext;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import org.xnio.IoUtils;
import org.xnio.Options;
import org.xnio.XnioExecutor;

/**
 * Undertow's first handler (installed by {@link UndertowExtension}, so in WildFly and the launcher alike):
 * <ul>
 * <li>every HTTP request with a body gets {@code channelpush.request-timeout-ms} from its head to its response;
 *     a request still running then (a body that never ends, or trickles) loses its connection (one without a body
 *     is answered from its head, which {@code channelpush.request-parse-timeout-ms} bounds);</li>
 * <li>a WebSocket handshake, once answered with 101, keeps of its request only the headers the WebSocket layer
 *     still reads (Host, Origin, Upgrade, Connection, Sec-WebSocket-*), and no cookies: Undertow keeps the
 *     handshake's exchange reachable for the connection's whole life, so what else it carried would stay on the
 *     heap that long; the parser's buffers, which keep the capacity of the longest header value, are trimmed
 *     ({@link ParserBuffers}); and the connection's read timeout is switched off (the pings bound an open
 *     WebSocket).</li>
 * </ul>
 * The node's settings are looked up per request (the node is built after the handler chain). Thread-safe.
 */
final class RequestBounds implements HttpHandler {
    private static final Logger LOG = Logger.getLogger(RequestBounds.class.getName());
    private static final Set<HttpString> KEPT_AFTER_UPGRADE = Set.of(Headers.HOST, Headers.ORIGIN, Headers.UPGRADE,
            Headers.CONNECTION, Headers.SEC_WEB_SOCKET_KEY, Headers.SEC_WEB_SOCKET_VERSION,
            Headers.SEC_WEB_SOCKET_PROTOCOL, Headers.SEC_WEB_SOCKET_EXTENSIONS);

    private final HttpHandler next;
    private final ServletContext context;
    private final RateLimitedLog timedOut = new RateLimitedLog(LOG, java.util.logging.Level.INFO);

    private final ParserBuffers parserBuffers = new ParserBuffers();
    private final HandshakeRelease handshakeRelease = new HandshakeRelease();

    RequestBounds(HttpHandler next, ServletContext context) {
        this.next = next;
        this.context = context;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        if (!(context.getAttribute(PushNode.ATTRIBUTE) instanceof PushNode node)) {
            next.handleRequest(exchange);
            return;
        }
        if (exchange.getRequestHeaders().contains(Headers.UPGRADE)) {
            exchange.addExchangeCompleteListener((ex, nextListener) -> {
                boolean upgrade = ex.getStatusCode() == StatusCodes.SWITCHING_PROTOCOLS;
                try {
                    if (upgrade) {
                        upgraded(ex);
                    }
                } finally {
                    nextListener.proceed();
                }
                if (upgrade) {
                    // the rest of the chain has handed the socket to the WebSocket layer
                    handshakeRelease.release(ex);
                }
            });
        } else if (!exchange.isRequestComplete()) {
            // only a request with a body can be held open by its client; one timer per such request
            int timeout = node.config().requestTimeoutMillis();
            XnioExecutor.Key deadline = exchange.getIoThread().executeAfter(() -> {
                if (!exchange.isComplete()) {
                    timedOut.log(() -> "an HTTP request from " + exchange.getSourceAddress() + " not finished within "
                            + PushConfig.REQUEST_TIMEOUT_MS + " (" + timeout + " ms)"
                            + ": connection closed");
                    IoUtils.safeClose(exchange.getConnection());
                }
            }, timeout, TimeUnit.MILLISECONDS);
            exchange.addExchangeCompleteListener((ex, nextListener) -> {
                deadline.remove();
                nextListener.proceed();
            });
        }
        next.handleRequest(exchange);
    }

    /** Removes every request header but those the WebSocket layer still reads after the 101. */
    static void keepOnlyWebSocketHeaders(HeaderMap headers) {
        List<HttpString> drop = new ArrayList<>();
        for (HttpString name : headers.getHeaderNames()) {
            if (!KEPT_AFTER_UPGRADE.contains(name)) {
                drop.add(name);
            }
        }
        drop.forEach(headers::remove);
    }

    /** Runs just before Undertow hands the connection to the WebSocket layer. */
    @SuppressWarnings("deprecation") // the Map view is the one way to empty the parsed cookies in Undertow 2.3
    private void upgraded(HttpServerExchange exchange) {
        keepOnlyWebSocketHeaders(exchange.getRequestHeaders());
        exchange.getRequestCookies().clear();
        parserBuffers.trim(exchange.getConnection());
        try {
            exchange.getConnection().setOption(Options.READ_TIMEOUT, 0);
        } catch (IOException | RuntimeException e) {
            LOG.fine(() -> "could not switch the read timeout off for a WebSocket: " + e);
        }
    }
}
