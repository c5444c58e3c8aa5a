package io.channelpush.launcher;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.URLUtils;
import java.nio.charset.StandardCharsets;

/**
 * Percent-decodes the request path in place of Undertow's parser, which the launcher tells not to decode
 * ({@code UndertowOptions.DECODE_URL} false): the parser answers a malformed escape with an empty 400 that no
 * handler can give a reason to. The query string is left as sent; the publisher decodes it itself, refusing a
 * malformed escape with its own reason, and nothing in the node reads Undertow's query parameters. A malformed
 * escape in the path gets 400 and a one-line reason. Stateless; thread-safe.
 */
final class PathDecoding implements HttpHandler {
    private final HttpHandler next;

    PathDecoding(HttpHandler next) {
        this.next = next;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        String path = exchange.getRequestPath();
        if (path.indexOf('%') >= 0) {
            try {
                exchange.setRequestPath(decode(path));
                exchange.setRelativePath(decode(exchange.getRelativePath()));
                exchange.setResolvedPath(decode(exchange.getResolvedPath()));
            } catch (IllegalArgumentException e) {
                exchange.setStatusCode(400);
                exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain;charset=UTF-8");
                exchange.getResponseSender().send("the request path has a malformed %-escape\n", StandardCharsets.UTF_8);
                return;
            }
        }
        next.handleRequest(exchange);
    }

    /** As Undertow's parser does by default: UTF-8, {@code %2F} left encoded, {@code +} left as it is. */
    private static String decode(String s) {
        return URLUtils.decode(s, StandardCharsets.UTF_8.name(), false, false, new StringBuilder(s.length()));
    }
}
