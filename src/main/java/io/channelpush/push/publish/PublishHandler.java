package io.channelpush.push.publish;

import static io.channelpush.push.publish.PublishAnswers.now;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import io.undertow.util.SameThreadExecutor;
import jakarta.servlet.ServletContext;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

/**
 * The publisher on Undertow's I/O thread: {@code GET} and form {@code POST} requests for the context root are
 * answered with {@link Publishing}'s rules before the servlet container would hand them to a worker thread (that
 * hand-off was most of a publish's cost: about 28,000 requests/s through the servlet, 65,000 here, on 2 cores).
 * A publish is answered once the bus acknowledged it ({@link PublishAnswers#acked}): the exchange is dispatched and
 * answered later on its I/O thread, which never waits, so many publishes wait for their acknowledgements at once.
 * Everything else (presence queries and publish reports, which wait for the nodes), and every publish when
 * {@code channelpush.publisher-on-io-thread} is false, goes on to the servlet chain unchanged.
 * Installed by {@link io.channelpush.push.UndertowExtension}; answers with the {@link Publishing} the wiring put
 * under {@link Publishing#ATTRIBUTE}. Thread-safe.
 */
public final class PublishHandler implements HttpHandler {
    private static final byte[] EMPTY = new byte[0];

    private final HttpHandler next;
    private final ServletContext context;

    public PublishHandler(HttpHandler next, ServletContext context) {
        this.next = next;
        this.context = context;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        Publishing p = publishingFor(exchange);
        if (p == null) {
            next.handleRequest(exchange);
            return;
        }
        p.node().metrics().publishRequestOnIoThread();
        if (exchange.getRequestMethod().equals(Methods.GET)) {
            answerWhenDone(exchange, publish(p, exchange, EMPTY));
        } else {
            Publishing.Answer early = p.checkPost(exchange.getRequestContentLength(),
                    exchange.getRequestHeaders().getFirst(Headers.CONTENT_TYPE));
            if (early != null) {
                answer(exchange, early);
                return;
            }
            long limit = p.bodyLimit();
            exchange.getRequestReceiver().setMaxBufferSize((int) limit + 1);
            exchange.getRequestReceiver().receiveFullBytes(
                    (ex, body) -> answerWhenDone(ex, body.length > limit ? now(p.tooLarge())
                            : publish(p, ex, body)),
                    (ex, e) -> answer(ex, p.tooLarge()));
        }
    }

    /** The rules to answer this exchange with here, or null when it is not a publish this handler takes. */
    private Publishing publishingFor(HttpServerExchange exchange) {
        HttpString method = exchange.getRequestMethod();
        if (!method.equals(Methods.GET) && !method.equals(Methods.POST)
                || !exchange.getRelativePath().equals("/")
                // a WebSocket handshake on the same path belongs to the endpoint
                || exchange.getRequestHeaders().contains(Headers.UPGRADE)
                // presence queries wait for the other nodes: the servlet's worker thread answers them
                || PresenceRequests.isPresenceRequest(exchange.getQueryParameters())
                // so do publish reports
                || exchange.getQueryParameters().containsKey("report")
                || Publishing.wantsJson(exchange.getRequestHeaders().getFirst(Headers.ACCEPT))) {
            return null;
        }
        // every publish here waits for the bus's acknowledgement without blocking (MessageBus.publishAcked), so a
        // bus whose plain publish may block (NATS) is no reason to leave the I/O thread any more
        if (!(context.getAttribute(Publishing.ATTRIBUTE) instanceof Publishing p)
                || !p.node().config().publisherOnIoThread()) {
            return null;
        }
        return p;
    }

    /**
     * Answers now when the answer is known, else once the bus acknowledged: the exchange is dispatched (so that
     * returning from the handler does not end it) and the answer is written on its own I/O thread later. The I/O
     * thread never waits; many publishes wait for their acknowledgements at once.
     */
    private static void answerWhenDone(HttpServerExchange ex, CompletableFuture<Publishing.Answer> answer) {
        Publishing.Answer now = answer.getNow(null);
        if (now != null) {
            answer(ex, now);
            return;
        }
        ex.dispatch(SameThreadExecutor.INSTANCE, () -> answer.whenComplete((a, e) -> ex.getIoThread().execute(
                () -> answer(ex, a != null ? a : new Publishing.Answer(500, "the publish failed on this node: " + e)))));
    }

    private static CompletableFuture<Publishing.Answer> publish(Publishing p, HttpServerExchange ex, byte[] body) {
        return p.publish(ex.getRequestMethod().toString(), path(ex), ex.getQueryString(), body,
                name -> ex.getRequestHeaders().getFirst(name), address(ex.getDestinationAddress()),
                address(ex.getSourceAddress()), false);
    }

    /** The request URI's path as the servlet API gives it ({@code getRequestURI}). */
    private static String path(HttpServerExchange ex) {
        String uri = ex.getRequestURI();
        if (ex.isHostIncludedInRequestURI()) {
            int slash = uri.indexOf('/', uri.indexOf("//") + 2);
            uri = slash < 0 ? "/" : uri.substring(slash);
        }
        return uri;
    }

    private static String address(InetSocketAddress a) {
        return a == null || a.getAddress() == null ? "?" : a.getAddress().getHostAddress();
    }

    private static void answer(HttpServerExchange ex, Publishing.Answer a) {
        ex.setStatusCode(a.status());
        ex.getResponseHeaders().put(Headers.CONTENT_TYPE, a.contentType());
        if (a.retryAfterSeconds() > 0) {
            ex.getResponseHeaders().put(Headers.RETRY_AFTER, Long.toString(a.retryAfterSeconds()));
        }
        if (a.status() == 401) {
            ex.getResponseHeaders().put(Headers.WWW_AUTHENTICATE, "ChannelPush-HMAC-SHA256");
        }
        ex.getResponseSender().send(a.status() == 200 ? a.text() : a.text() + "\n", StandardCharsets.UTF_8);
    }
}
