package io.channelpush.push;

import jakarta.websocket.CloseReason;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.Session;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.Executor;

/**
 * {@link FrameSender} over the standard asynchronous remote endpoint, for containers other than Undertow: frames
 * are batched with {@code setBatchingAllowed}/{@code flushBatch}; drains run on the node's sender threads.
 * Not thread-safe: one drain at a time.
 */
final class JakartaFrameSender implements FrameSender {
    private final Session session;
    private final RemoteEndpoint.Async remote;
    private final Executor executor;
    private final Listener listener;

    JakartaFrameSender(Session session, Executor executor, Listener listener) {
        this.session = session;
        this.remote = session.getAsyncRemote();
        this.executor = executor;
        this.listener = listener;
    }

    @Override
    public Executor executor() {
        return executor;
    }

    @Override
    public void begin() throws IOException {
        remote.setBatchingAllowed(true);
    }

    @Override
    public void send(OutboundMessage m) {
        remote.sendText(m.text, result -> {
            if (result.isOK()) {
                listener.sent(m);
            } else {
                listener.failed(result.getException());
            }
        });
    }

    @Override
    public void end() throws IOException {
        remote.setBatchingAllowed(false);
        remote.flushBatch();
    }

    @Override
    public void ping() throws IOException {
        remote.sendPing(ByteBuffer.allocate(0));
    }

    @Override
    public void close(CloseReason reason) throws IOException {
        if (session.isOpen()) {
            session.close(reason);
        }
    }

    /** The standard API has no abortive close: the container closes once the client answers, or on its timeout. */
    @Override
    public void abort(CloseReason reason) {
        try {
            close(reason);
        } catch (IOException | RuntimeException e) {
            listener.failed(e);
        }
    }
}
