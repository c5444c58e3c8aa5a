package io.channelpush.channel.client;

import com.google.gson.JsonElement;
import io.channelpush.channel.protocol.ErrorCode;
import io.channelpush.channel.protocol.FrameCodec;
import io.channelpush.channel.protocol.Message;
import io.channelpush.channel.protocol.MessageType;
import io.channelpush.channel.protocol.Messages;
import io.channelpush.channel.protocol.ProtocolException;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * One socket to the daemon: the handshake, a writer thread draining the client's {@link OutboundBuffer} (many
 * frames per flush, a ping every ping interval), and a reader loop run by the caller's thread. Every I/O failure
 * ends {@link #readLoop}; the writer closes the socket on failure, which ends the reader. {@link #close()} is
 * idempotent and may be called from any thread.
 */
final class DaemonConnection implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(DaemonConnection.class.getName());
    private static final int BATCH_FRAMES = 512;
    private static final byte[] PING = Messages.simple(MessageType.PING);

    private final ClientOptions options;
    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private Thread writer;
    private volatile boolean closed;
    private int protocol;
    private String epoch;

    private DaemonConnection(ClientOptions options, Socket socket) throws IOException {
        this.options = options;
        this.socket = socket;
        this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 64 * 1024));
        this.out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
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
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress(o.host(), o.port()), (int) o.readTimeout().toMillis());
            s.setSoTimeout((int) o.readTimeout().toMillis());
            DaemonConnection c = new DaemonConnection(o, s);
            c.out.write(Messages.hello(o.clientName(), o.secret(), protocol));
            c.out.flush();
            Message m = c.next();
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
            s.close();
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

    /** Writes frames straight to the socket; only before {@link #startWriter}. */
    void sendNow(byte[]... frames) throws IOException {
        for (byte[] f : frames) {
            out.write(f);
        }
        out.flush();
    }

    /**
     * @param periodic frames to send with each ping (for example claims to try again); called on the writer thread
     * @param threadDeaths told when the writer thread dies of an uncaught exception, or null
     */
    void startWriter(OutboundBuffer buffer, String name, Supplier<List<byte[]>> periodic,
                     Thread.UncaughtExceptionHandler threadDeaths) {
        writer = new Thread(() -> writeLoop(buffer, periodic), name);
        writer.setDaemon(true);
        if (threadDeaths != null) {
            writer.setUncaughtExceptionHandler(threadDeaths);
        }
        writer.start();
    }

    private void writeLoop(OutboundBuffer buffer, Supplier<List<byte[]>> periodic) {
        long pingNanos = options.pingInterval().toNanos();
        long nextPing = System.nanoTime() + pingNanos;
        try {
            while (!closed) {
                long wait = Math.max(1, nextPing - System.nanoTime());
                List<OutboundBuffer.Entry> batch = buffer.peek(BATCH_FRAMES, wait);
                for (OutboundBuffer.Entry e : batch) {
                    // a frame to be written at most once is claimed first: then it can no longer be withdrawn
                    if (e.claim()) {
                        out.write(e.frame());
                    }
                }
                if (System.nanoTime() - nextPing >= 0) {
                    out.write(PING);
                    for (byte[] f : periodic.get()) {
                        out.write(f);
                    }
                    nextPing = System.nanoTime() + pingNanos;
                }
                out.flush();
                buffer.commit(batch);
            }
        } catch (IOException e) {
            if (!closed) {
                LOG.fine(() -> "write to channel daemon " + options.address() + " failed: " + e.getMessage());
            }
            closeSocket();
        } catch (InterruptedException e) {
            closeSocket();
        }
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

    private Message next() throws IOException, ProtocolException {
        return Message.parse(nextBody());
    }

    private byte[] nextBody() throws IOException, ProtocolException {
        byte[] body = FrameCodec.read(in, options.maxFrameBytes());
        if (body == null) {
            throw new EOFException("channel daemon closed the connection");
        }
        return body;
    }

    private void closeSocket() {
        try {
            socket.close();
        } catch (IOException e) {
            // already failing; nothing more to do
        }
    }

    /** Closes the socket and waits (at most 2 s) for the writer thread to end. */
    @Override
    public void close() {
        closed = true;
        closeSocket();
        Thread w = writer;
        if (w != null && w != Thread.currentThread()) {
            w.interrupt();
            try {
                w.join(TimeUnit.SECONDS.toMillis(2));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
