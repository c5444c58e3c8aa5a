package io.channelpush.push;

import io.undertow.server.protocol.framed.AbstractFramedChannel;
import io.undertow.websockets.core.CloseMessage;
import io.undertow.websockets.core.WebSocketCallback;
import io.undertow.websockets.core.WebSocketChannel;
import io.undertow.websockets.core.WebSockets;
import io.undertow.websockets.jsr.UndertowSession;
import jakarta.websocket.CloseReason;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.logging.Logger;
import org.xnio.IoUtils;
import org.xnio.StreamConnection;
import org.xnio.conduits.ConduitStreamSinkChannel;

/**
 * {@link FrameSender} on Undertow (WildFly and the launcher), one level below Undertow's WebSocket channel: each
 * message is framed once ({@link OutboundMessage#sharedFrame()}, the same bytes for every recipient, as a server's
 * frames are unmasked) and written by this connection's {@link FrameGate}, the conduit every byte to the socket
 * passes, with no frame object of Undertow's per delivery (they were most of what a delivery allocated, and so of the
 * young collections that decide a paced broadcast's p99). Drains run on the connection's own I/O thread, where
 * Undertow writes too; a batch goes out in one write, copied into that thread's {@link IoScratch}. Undertow still
 * writes the control frames it owns (pongs, and the close frame, so that its closing handshake stays its own) through
 * the same gate; data frames are only ours.
 * The gate is reached through a protected field of Undertow's framed channel ({@link #CONNECTION}); where a later
 * Undertow has renamed it, {@link #of} returns null and the portable sender takes over. Not thread-safe: one drain at
 * a time, on the I/O thread.
 */
final class UndertowFrameSender implements FrameSender {
    private static final Logger LOG = Logger.getLogger(UndertowFrameSender.class.getName());
    /** The framed channel's connection: no public API reaches it. Null when this Undertow has no such field. */
    private static final VarHandle CONNECTION = connectionHandle();
    /** An empty ping, unmasked: a server's whole ping frame (shared: the gate never moves it). */
    private static final ByteBuffer PING = ByteBuffer.wrap(new byte[] {(byte) 0x89, 0}).asReadOnlyBuffer();

    private final UndertowSession session;
    private final FrameGate gate;
    /** How long after this node starts closing the connection it is cut, if still open (an int: no padding). */
    private final int closeDeadlineMillis;

    private UndertowFrameSender(UndertowSession session, FrameGate gate, int closeDeadlineMillis) {
        this.session = session;
        this.gate = gate;
        this.closeDeadlineMillis = closeDeadlineMillis;
    }

    private static VarHandle connectionHandle() {
        try {
            return MethodHandles.privateLookupIn(AbstractFramedChannel.class, MethodHandles.lookup())
                    .findVarHandle(AbstractFramedChannel.class, "channel", StreamConnection.class);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /** Whether this Undertow's framed channel has the field the gate is installed through. */
    static boolean available() {
        return CONNECTION != null;
    }

    /** The session's channel (a field read: the session holds it, so this sender need not). */
    private WebSocketChannel channel() {
        return session.getWebSocketChannel();
    }

    /**
     * Puts the gate on top of the connection's outbound conduits. Called from the endpoint's open, before Undertow
     * reads the client's first frame and so before it can write a pong.
     *
     * @param closeDeadlineMillis how long a connection may stay open after this node started closing it
     * @param scratchOf the write buffer of an I/O thread
     * @return a sender for an Undertow session, or null for any other session or an Undertow without the field
     */
    static FrameSender of(jakarta.websocket.Session session, Listener listener, long closeDeadlineMillis,
                          Function<Thread, IoScratch> scratchOf) {
        if (!(session instanceof UndertowSession u) || CONNECTION == null) {
            return null;
        }
        WebSocketChannel channel = u.getWebSocketChannel();
        ConduitStreamSinkChannel sink = ((StreamConnection) CONNECTION.get(channel)).getSinkChannel();
        FrameGate gate = new FrameGate(sink.getConduit(), listener, channel::isCloseFrameSent,
                scratchOf.apply(channel.getIoThread()));
        sink.setConduit(gate);
        return new UndertowFrameSender(u, gate, (int) Math.min(Integer.MAX_VALUE, closeDeadlineMillis));
    }

    @Override
    public Executor executor() {
        return channel().getIoThread();
    }

    @Override
    public void begin() {
        gate.begin();
    }

    @Override
    public void send(OutboundMessage m) throws IOException {
        gate.queue(m.sharedFrame(), m);
    }

    @Override
    public void end() throws IOException {
        gate.end();
    }

    /** Outside a batch: written at once. */
    @Override
    public void ping() throws IOException {
        gate.queue(PING, null);
    }

    /**
     * Starts Undertow's closing handshake and sets its deadline: a client that does not take its close frame (its
     * socket full) or never answers it would otherwise keep the connection, and what is queued for it, as long as
     * TCP lasts (Undertow has no close timeout), while it no longer counts against the node's connection limit.
     */
    @Override
    public void close(CloseReason reason) throws IOException {
        if (session.isOpen()) {
            session.close(reason);
            cutAtDeadline(channel());
        }
    }

    private void cutAtDeadline(WebSocketChannel channel) {
        try {
            channel.getIoThread().executeAfter(() -> {
                if (channel.isOpen()) {
                    LOG.fine(() -> "connection " + channel.getPeerAddress() + " cut: still open " + closeDeadlineMillis
                            + " ms after its close frame was queued");
                    IoUtils.safeClose(channel);
                }
            }, closeDeadlineMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            IoUtils.safeClose(channel); // the I/O thread is stopping, and its connections with it
        }
    }

    /** Runs on the connection's I/O thread, after any drain in progress there; cut at the deadline at the latest. */
    @Override
    public void abort(CloseReason reason) {
        WebSocketChannel channel = channel();
        channel.getIoThread().execute(() -> {
            cutAtDeadline(channel);
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
