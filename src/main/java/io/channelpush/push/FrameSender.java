package io.channelpush.push;

import jakarta.websocket.CloseReason;
import java.io.IOException;
import java.util.concurrent.Executor;

/**
 * How one session's text frames reach its container, in batches: {@link #begin()}, any number of
 * {@link #send}, then {@link #end()}, which writes the batch (several frames per socket write where the container
 * allows); pings and closes are written by the same drain, in queue order (one writer per WebSocket). Two
 * implementations: {@link UndertowFrameSender} (below Undertow's WebSocket channel, WildFly and the
 * launcher) and {@link JakartaFrameSender} (the standard asynchronous remote endpoint, any container). Called by
 * one drain at a time, on {@link #executor()}; not thread-safe otherwise.
 */
interface FrameSender {

    /** Told when each frame has been written or the connection failed. */
    interface Listener {
        void sent(OutboundMessage m);

        void failed(Throwable t);
    }

    /** Where this session's drains run: the connection's own I/O thread where there is one. */
    Executor executor();

    void begin() throws IOException;

    void send(OutboundMessage m) throws IOException;

    void end() throws IOException;

    /** Sends a ping with an empty body, outside a batch. */
    void ping() throws IOException;

    /** Starts the closing handshake: sends a close frame and closes once the client answers (or times out). */
    void close(CloseReason reason) throws IOException;

    /**
     * Sends a close frame and cuts the connection once it is written, without waiting for the client's close
     * (for a client that broke a limit). Never blocks.
     */
    void abort(CloseReason reason);
}
