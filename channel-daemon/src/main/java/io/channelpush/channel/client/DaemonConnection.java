package io.channelpush.channel.client;

import com.google.gson.JsonElement;
import io.channelpush.channel.protocol.ErrorCode;
import io.channelpush.channel.protocol.Message;
import io.channelpush.channel.protocol.MessageType;
import io.channelpush.channel.protocol.Messages;
import io.channelpush.channel.protocol.ProtocolException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * One socket to the daemon (non-blocking): the handshake, the writes of the client's {@link OutboundBuffer}, and a
 * reader loop run by the caller's thread.
 *
 * <p>Writes ({@link FrameWriter}): whoever holds the write lock writes, so a thread that queues a frame while no one
 * writes writes it from its own thread without waiting, and the writer thread takes only what is left and the pings.
 * Reads: {@link FrameReader}.
 *
 * <p>Every I/O failure ends {@link #readLoop}; a writer that fails closes the socket, which ends the reader.
 * {@link #close()} is idempotent and may be called from any thread; after it returns no frame is claimed on this
 * connection any more.
 */
final class DaemonConnection implements AutoCloseable {
    private final ClientOptions options;
    private final SocketChannel channel;
    private final FrameReader reader;
    private final FrameWriter writer;
    private volatile boolean closed;
    private int protocol;
    private String epoch;

    private DaemonConnection(ClientOptions options, SocketChannel channel) throws IOException {
        this.options = options;
        this.channel = channel;
        this.reader = new FrameReader(channel, options.maxFrameBytes(), options.readTimeout());
        try {
            this.writer = new FrameWriter(channel, options, this::closeSocket);
        } catch (IOException | RuntimeException e) {
            reader.close();
            throw e;
        }
    }

    /**
     * Connects, asks for protocol 2 and waits for {@code welcome}; a daemon that answers {@code unsupported_protocol}
     * (it only speaks protocol 1) gets a second connection that asks for protocol 1.
     *
     * @throws ProtocolException when the daemon refuses the hello (for example {@code bad_secret})
     */
    static DaemonConnection open(ClientOptions o) throws IOException, ProtocolException {
        try {
            return open(o, 2);
        } catch (ProtocolException e) {
            if (e.code() != ErrorCode.UNSUPPORTED_PROTOCOL) {
                throw e;
            }
            return open(o, 1);
        }
    }

    private static DaemonConnection open(ClientOptions o, int protocol) throws IOException, ProtocolException {
        SocketChannel s = SocketChannel.open();
        DaemonConnection c = null;
        try {
            s.setOption(StandardSocketOptions.TCP_NODELAY, true);
            s.socket().connect(new InetSocketAddress(o.host(), o.port()), (int) o.readTimeout().toMillis());
            s.configureBlocking(false);
            c = new DaemonConnection(o, s);
            c.sendNow(Messages.hello(o.clientName(), o.secret(), protocol));
            Message m = Message.parse(c.nextBody());
            if (m.type() == MessageType.ERROR) {
                ErrorCode code = ErrorCode.fromWire(m.string("code"));
                throw new ProtocolException(code == null ? ErrorCode.UNKNOWN_TYPE : code, m.string("message"));
            }
            if (m.type() != MessageType.WELCOME) {
                throw new ProtocolException(ErrorCode.HELLO_REQUIRED, "expected welcome, got " + m.type().wireName());
            }
            // the welcome says which version the daemon speaks: one may answer a hello of 2 with 1
            JsonElement v = m.json().get("protocol");
            c.protocol = v != null && v.isJsonPrimitive() && v.getAsJsonPrimitive().isNumber()
                    ? Math.min(protocol, v.getAsInt()) : 1;
            if (c.protocol >= 2) {
                c.epoch = m.string("epoch");
            }
            return c;
        } catch (IOException | ProtocolException | RuntimeException e) {
            if (c != null) {
                c.close();
            } else {
                s.close();
            }
            throw e;
        }
    }

    /** The protocol version the daemon accepted: 2, or 1 for a daemon that knows no other. */
    int protocol() {
        return protocol;
    }

    /** The epoch of the daemon's streams (from its welcome), or null under protocol 1. */
    String epoch() {
        return epoch;
    }

    /** Writes frames straight to the socket, waiting at most the read timeout for it; only before {@link #startWriter}. */
    void sendNow(byte[]... toSend) throws IOException {
        writer.sendNow(toSend);
    }

    /**
     * Starts writing {@code buffer}: its producers write inline from now on, and a writer thread takes the rest.
     *
     * @param periodic frames to send with each ping (for example claims to try again); called on the writer thread
     * @param threadDeaths told when the writer thread dies of an uncaught exception, or null
     */
    void startWriter(OutboundBuffer buffer, String name, Supplier<List<byte[]>> periodic,
                     Thread.UncaughtExceptionHandler threadDeaths) {
        writer.start(buffer, name, periodic, threadDeaths);
    }

    /**
     * Reads frames and hands them to {@code sink} until {@code done} holds; only before {@link #startWriter}. Bounded
     * by the read timeout in all, not only per read: frames of other kinds (events of subscribed channels, say) keep
     * the socket busy, and nothing (no ping) is written meanwhile.
     *
     * @throws IOException when {@code done} does not hold within the read timeout
     */
    void readUntil(FrameSink sink, BooleanSupplier done, String what) throws IOException, ProtocolException {
        long deadline = System.nanoTime() + options.readTimeout().toNanos();
        while (!closed && !done.getAsBoolean()) {
            if (System.nanoTime() - deadline >= 0) {
                throw new IOException("the channel daemon did not answer " + what + " within "
                        + options.readTimeout().toMillis() + " ms of connecting");
            }
            sink.accept(nextBody());
        }
    }

    /** Reads frames and hands them to {@code sink} until the connection fails or is closed. */
    void readLoop(FrameSink sink) throws IOException, ProtocolException {
        while (!closed) {
            sink.accept(nextBody());
        }
    }

    /** Takes a frame body apart; a {@link ProtocolException} ends the connection. */
    @FunctionalInterface
    interface FrameSink {
        void accept(byte[] body) throws ProtocolException;
    }

    private byte[] nextBody() throws IOException, ProtocolException {
        byte[] body = reader.next();
        if (closed) {
            throw new SocketException("connection to the channel daemon closed");
        }
        return body;
    }

    /** Closes the channel and wakes whoever waits on it (a registered channel is closed by its selectors). */
    private void closeSocket() {
        try {
            channel.close();
        } catch (IOException e) {
            // already failing; nothing more to do
        }
        reader.wakeup();
        writer.wakeup();
    }

    /**
     * Closes the socket and waits (at most 2 s) for the writer thread to end and for a producer writing inline to let
     * go of the write lock: from then on no frame is claimed on this connection.
     */
    @Override
    public void close() {
        closed = true;
        closeSocket();
        writer.close();
        reader.close();
    }
}
