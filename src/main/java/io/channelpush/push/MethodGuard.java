package io.channelpush.push;

import io.channelpush.push.publish.PublisherServlet;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import java.nio.charset.StandardCharsets;

/**
 * Refuses, with 405 and a one-line reason, the methods no path of the node serves: {@code TRACE} and
 * {@code TRACK} anywhere (a TRACE answer echoes the request's headers, {@code Authorization} and the signature
 * headers included), and on the publisher's path ({@code /}) anything but {@code GET} and {@code POST}: a
 * {@code HEAD} must not publish, and the servlet API would run {@code doGet} for it. Runs first in the
 * deployment's handler chain ({@link UndertowExtension}), so it covers the servlets, the static demo files and
 * the I/O-thread publisher alike. Stateless; thread-safe.
 */
final class MethodGuard implements HttpHandler {
    private static final HttpString TRACK = new HttpString("TRACK");

    private final HttpHandler next;

    MethodGuard(HttpHandler next) {
        this.next = next;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        HttpString method = exchange.getRequestMethod();
        if (method.equals(Methods.TRACE) || method.equals(TRACK)) {
            refuse(exchange, "GET, POST, HEAD", method + " is not allowed on this server");
        } else if (exchange.getRelativePath().equals("/") && !method.equals(Methods.GET) && !method.equals(Methods.POST)) {
            refuse(exchange, PublisherServlet.METHODS, "the publisher takes GET and POST, not " + method);
        } else {
            next.handleRequest(exchange);
        }
    }

    private static void refuse(HttpServerExchange exchange, String allow, String reason) {
        exchange.setStatusCode(405);
        exchange.getResponseHeaders().put(Headers.ALLOW, allow);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain;charset=UTF-8");
        exchange.getResponseSender().send(reason + "\n", StandardCharsets.UTF_8);
    }
}
