package io.channelpush.launcher;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.Methods;
import java.util.concurrent.Executor;
import org.xnio.XnioIoThread;

/**
 * The launcher's servlet executor: a WebSocket handshake for the endpoint runs its servlet chain (the filters and
 * the Jakarta WebSocket upgrade) on the I/O thread that read it; every other request goes to the worker pool as
 * Undertow does by default. Undertow's servlet layer hands each request from the I/O thread to a worker thread and
 * the 101 and the welcome back to the I/O thread; a handshake never blocks (no body to read; an answer of a few
 * hundred bytes; only CPU in the filters and the endpoint's open), so that hand-off is only cost (README,
 * "Connection set-up and reconnect storms").
 *
 * <p>Should an answer not fit the socket's send buffer (a client that sends handshakes on one connection and never
 * reads the refusals), XNIO refuses to block an I/O thread, and that connection is closed: no thread waits on it.
 *
 * <p>{@link #marking} wraps the launcher's whole handler chain: Undertow calls {@link #execute} on the thread that
 * ran the chain, right after it returns, so a per-thread mark set for every request says which request the call is
 * for. A request whose chain runs on a worker thread already (a pipelined one, after a response completed there)
 * runs in place, as Undertow runs it without an executor. ({@code AsyncContext.start} goes to the async executor,
 * the worker pool.) Thread-safe: the mark is per thread and set before each use.
 */
final class UpgradesOnIoThread implements Executor {
    private final Executor workers;
    /** Set on an I/O thread while the request it handles is a handshake to run there. */
    private final ThreadLocal<Boolean> inline = new ThreadLocal<>();

    UpgradesOnIoThread(Executor workers) {
        this.workers = workers;
    }

    /** Marks each request before any handler of the launcher's answers it or hands it to the servlets. */
    HttpHandler marking(HttpHandler handlers) {
        return exchange -> {
            if (exchange.isInIoThread() && isEndpointHandshake(exchange)) {
                inline.set(Boolean.TRUE);
            } else {
                inline.remove();
            }
            handlers.handleRequest(exchange);
        };
    }

    @Override
    public void execute(Runnable task) {
        if (inline.get() != null) {
            inline.remove();
            task.run();
        } else if (XnioIoThread.currentThread() == null) {
            task.run(); // already off the I/O threads (a pipelined request); Undertow runs it in place then too
        } else {
            workers.execute(task);
        }
    }

    /**
     * Only what the Jakarta WebSocket filter will upgrade or the handshake filter refuse with a short answer: a
     * {@code GET /} with the upgrade's headers. Anything else, a static file or a publish with an {@code Upgrade}
     * header included, may block and stays on the workers.
     */
    static boolean isEndpointHandshake(HttpServerExchange exchange) {
        return Methods.GET.equals(exchange.getRequestMethod())
                && "/".equals(exchange.getRelativePath())
                && !exchange.getRequestHeaders().contains(Headers.CONTENT_LENGTH)
                && !exchange.getRequestHeaders().contains(Headers.TRANSFER_ENCODING)
                && "websocket".equalsIgnoreCase(exchange.getRequestHeaders().getFirst(Headers.UPGRADE))
                && exchange.getRequestHeaders().contains(Headers.SEC_WEB_SOCKET_KEY);
    }
}
