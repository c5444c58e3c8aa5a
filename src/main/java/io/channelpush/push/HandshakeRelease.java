package io.channelpush.push;

import io.undertow.server.HttpServerExchange;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;
import org.xnio.StreamConnection;

/**
 * Lets go of a WebSocket handshake's exchange once Undertow has upgraded the connection. Undertow keeps every
 * HTTP/1.1 connection it accepted in its open listener until the connection closes, a WebSocket's too, and with
 * it the last exchange: the connection's {@code current}, its read listener's exchange, its upgrade listener (the
 * Jakarta WebSocket filter's, which holds the servlet request and response) and its response conduits. None of
 * them is read again once the connection speaks WebSocket (the HTTP parser, also released here, is no longer the
 * socket's reader), but together they were a third of what an idle connection cost (the request and response, their
 * header maps, the servlet request context, attachments, the parser's state). No
 * public API reaches those fields, so this goes by reflection, checking first that the upgrade really happened
 * (the socket's reader is no longer the HTTP parser); if a later Undertow renames a field it does nothing more
 * and says so once. Called on the thread that completed the handshake, after the exchange's completion chain
 * (which performs the upgrade) has run. Thread-safe.
 */
final class HandshakeRelease {
    private static final Logger LOG = Logger.getLogger(HandshakeRelease.class.getName());
    /** Whether the one line saying this Undertow cannot be reached was written (per deployment). */
    private final AtomicBoolean warned = new AtomicBoolean();
    private final UndertowFields fields = new UndertowFields();

    void release(HttpServerExchange exchange) {
        Object connection = exchange.getConnection();
        try {
            Object readListener = fields.get(connection, "readListener");
            StreamConnection channel = (StreamConnection) fields.get(connection, "channel");
            if (readListener == null || channel.getSourceChannel().getReadListener() == readListener) {
                return; // not upgraded (yet): the HTTP parser still reads this socket
            }
            exchange.getRequestHeaders().clear();
            exchange.getResponseHeaders().clear();
            fields.clear(readListener, "httpServerExchange");
            fields.clear(connection, "readListener"); // and with it the parser's state and caches
            fields.clear(connection, "current");
            fields.clear(connection, "upgradeListener");
            Object sink = channel.getSinkChannel().getConduit();
            for (String conduit : new String[] {"responseConduit", "fixedLengthStreamSinkConduit"}) {
                Object c = fields.get(connection, conduit);
                if (c != null && c != sink) {
                    fields.clear(c, "exchange");
                }
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            if (warned.compareAndSet(false, true)) {
                LOG.info(() -> "cannot release the handshake of upgraded connections on this Undertow (" + e
                        + "): each WebSocket keeps its handshake's request and response, about 4 KB");
            }
        }
    }

}
