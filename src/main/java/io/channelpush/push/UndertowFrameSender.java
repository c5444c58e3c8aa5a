package io.channelpush.push;

import io.undertow.connector.PooledByteBuffer;
import io.undertow.util.ImmediatePooledByteBuffer;
import io.undertow.websockets.core.CloseMessage;
import io.undertow.websockets.core.StreamSinkFrameChannel;
import io.undertow.websockets.core.WebSocketCallback;
import io.undertow.websockets.core.WebSocketChannel;
import io.undertow.websockets.core.WebSocketFrameType;
import io.undertow.websockets.core.WebSockets;
import io.undertow.websockets.jsr.UndertowSession;
import jakarta.websocket.CloseReason;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.concurrent.Executor;
import org.xnio.ChannelListeners;
import org.xnio.IoUtils;

/**
 * {@link FrameSender} on Undertow (WildFly and the launcher), one level below Jakarta WebSocket: drains run on the
 * connection's own I/O thread, so frames are written inline instead of being handed to that thread; each frame's
 * body is the message's shared encoded bytes (no per-connection encoding); a batch is queued with explicit
 * flushing on and written with one gathering write, after which each frame that went out completes at once (only a
 * frame left behind by a full socket gets a write listener). Frames Undertow sends on its own (pongs) are flushed
 * at once outside a batch, as are pings and closes (the drain ends its batch before one). Loaded only when
 * Undertow's classes are visible. Not thread-safe: one drain at a time, on the I/O thread.
 */
final class UndertowFrameSender implements FrameSender {
    private final UndertowSession session;
    private final Listener listener;
    /**
     * The batch: its first frame in these two fields, the rest (if any) in the list, which exists only while a batch
     * has more than one frame: each further frame, then its message. At paced rates nearly every drain writes one
     * frame, and the lists' arrays, allocated again by every drain, were 112 bytes of garbage per delivery; an idle
     * connection keeps no list (nor a second one: 8 bytes a connection).
     */
    private StreamSinkFrameChannel firstFrame;
    private OutboundMessage firstMessage;
    private ArrayList<Object> rest;

    private UndertowFrameSender(UndertowSession session, Listener listener) {
        this.session = session;
        this.listener = listener;
    }

    /** The session's channel (a field read: the session holds it, so this sender need not). */
    private WebSocketChannel channel() {
        return session.getWebSocketChannel();
    }

    /** @return a sender for an Undertow session, or null for any other session */
    static FrameSender of(jakarta.websocket.Session session, Listener listener) {
        return session instanceof UndertowSession u ? new UndertowFrameSender(u, listener) : null;
    }

    @Override
    public Executor executor() {
        return channel().getIoThread();
    }

    @Override
    public void begin() {
        firstFrame = null;
        firstMessage = null;
        rest = null;
        channel().setRequireExplicitFlush(true);
    }

    @Override
    public void send(OutboundMessage m) throws IOException {
        StreamSinkFrameChannel frame = channel().send(WebSocketFrameType.TEXT);
        PooledByteBuffer body = new ImmediatePooledByteBuffer(m.payload());
        if (!frame.send(body)) {
            throw new IOException("Undertow refused the body of a new frame");
        }
        frame.shutdownWrites();
        if (firstFrame == null) {
            firstFrame = frame;
            firstMessage = m;
            return;
        }
        if (rest == null) {
            rest = new ArrayList<>();
        }
        rest.add(frame);
        rest.add(m);
    }

    @Override
    public void end() throws IOException {
        WebSocketChannel channel = channel();
        channel.setRequireExplicitFlush(false);
        channel.flush();
        StreamSinkFrameChannel first = firstFrame;
        OutboundMessage firstM = firstMessage;
        ArrayList<Object> more = rest;
        // an idle connection keeps no batch
        firstFrame = null;
        firstMessage = null;
        rest = null;
        if (first == null) {
            return;
        }
        complete(first, firstM);
        if (more != null) {
            for (int i = 0; i < more.size(); i += 2) {
                complete((StreamSinkFrameChannel) more.get(i), (OutboundMessage) more.get(i + 1));
            }
        }
    }

    private void complete(StreamSinkFrameChannel frame, OutboundMessage m) throws IOException {
        if (frame.flush()) {
            listener.sent(m);
        } else {
            // the socket is full: complete when Undertow has written the rest
            frame.getWriteSetter().set(ChannelListeners.flushingChannelListener(
                    f -> listener.sent(m),
                    (f, e) -> {
                        listener.failed(e);
                        IoUtils.safeClose(f);
                    }));
            frame.resumeWrites();
        }
    }

    /** Outside a batch, so Undertow flushes it at once. */
    @Override
    public void ping() {
        WebSockets.sendPing(ByteBuffer.allocate(0), channel(), new WebSocketCallback<Void>() {
            @Override
            public void complete(WebSocketChannel c, Void context) {
            }

            @Override
            public void onError(WebSocketChannel c, Void context, Throwable throwable) {
                listener.failed(throwable);
            }
        });
    }

    @Override
    public void close(CloseReason reason) throws IOException {
        if (session.isOpen()) {
            session.close(reason);
        }
    }

    /** Runs on the connection's I/O thread, after any drain in progress there. */
    @Override
    public void abort(CloseReason reason) {
        WebSocketChannel channel = channel();
        channel.getIoThread().execute(() -> {
            if (channel.isCloseFrameSent()) {
                IoUtils.safeClose(channel);
                return;
            }
            WebSockets.sendClose(new CloseMessage(reason.getCloseCode().getCode(), reason.getReasonPhrase()),
                    channel, new WebSocketCallback<Void>() {
                        @Override
                        public void complete(WebSocketChannel c, Void context) {
                            IoUtils.safeClose(c);
                        }

                        @Override
                        public void onError(WebSocketChannel c, Void context, Throwable throwable) {
                            IoUtils.safeClose(c);
                        }
                    });
        });
    }
}
