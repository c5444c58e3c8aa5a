package io.channelpush.push;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

/**
 * Trims the request parser's string buffers of an upgraded Undertow HTTP/1.1 connection. Undertow keeps every
 * connection it accepted in its open listener until the connection closes, a WebSocket's too; with it the
 * connection's parse state, whose {@code StringBuilder}s keep the capacity of the longest header value or URL the
 * handshake carried (8 KB of cookies cost 8 KB for the WebSocket's whole life). No public API reaches them, so
 * this goes by reflection into {@code HttpServerConnection.readListener.state}; if a later Undertow renames a
 * field, it does nothing and says so once. Called after the upgrade's response, before the WebSocket layer
 * takes the connection; the connection parses no more HTTP. Thread-safe.
 */
final class ParserBuffers {
    private static final Logger LOG = Logger.getLogger(ParserBuffers.class.getName());
    /** Whether the one line saying this Undertow cannot be reached was written (per deployment). */
    private final AtomicBoolean warned = new AtomicBoolean();
    private final UndertowFields fields = new UndertowFields();

    void trim(Object httpServerConnection) {
        try {
            Object readListener = fields.get(httpServerConnection, "readListener");
            if (readListener == null) {
                return;
            }
            Object state = fields.get(readListener, "state");
            for (String name : new String[] {"stringBuilder", "canonicalPath", "decodeBuffer"}) {
                StringBuilder b = (StringBuilder) fields.get(state, name);
                b.setLength(0);
                b.trimToSize();
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            if (warned.compareAndSet(false, true)) {
                LOG.info(() -> "cannot trim the HTTP parser's buffers of upgraded connections on this Undertow ("
                        + e + "): each WebSocket keeps up to the size of its handshake's longest header");
            }
        }
    }

}
