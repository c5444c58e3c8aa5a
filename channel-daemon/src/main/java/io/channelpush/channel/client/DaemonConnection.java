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
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * One socket to the daemon (non-blocking): the handshake, the writes of the client's {@link OutboundBuffer}, and a
 * reader loop run by the caller's thread.
 *
 * <p>Writes: whoever holds the write lock writes; many frames per system call. A thread that queues a frame while no
 * one writes writes it at once, from its own thread, without waiting: a frame costs no hand-off to another thread
 * while the socket takes it ({@link #offered}). What it cannot write (a full socket; frames queued meanwhile past its
 * bound) is left to the writer thread, which also sends a ping every ping interval and is the only one that waits for
 * the socket. So the one writer per socket is whoever holds the lock, and the frames go out in queue order.
 *
 * <p>Every I/O failure ends {@link #readLoop}; a writer that fails closes the socket, which ends the reader.
 * {@link #close()} is idempotent and may be called from any thread; after it returns no frame is claimed on this
 * connection any more.
 */
final class DaemonConnection implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(DaemonConnection.class.getName());
    private static final int BATCH_FRAMES = 512;
    /** Batches a producer writes inline at most before it leaves the rest to the writer thread. */
    private static final int INLINE_BATCHES = 2;
    private static final byte[] PING = Messages.simple(MessageType.PING);

    private final ClientOptions options;
    private final SocketChannel channel;
    private final FrameReader reader;
    private final Selector writeSelector;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final Runnable drainer = this::offered;
    // guarded by writeLock: the batch being written, its frames' bytes not yet copied to out, and out's unwritten bytes
    private final ByteBuffer out = ByteBuffer.allocateDirect(64 * 1024).flip();
    private final List<byte[]> frames = new ArrayList<>();
    private List<OutboundBuffer.Entry> inFlight;
    private int frameIndex;
    private int frameOffset;
    private OutboundBuffer buffer;
    private Thread writer;
    private volatile boolean closed;
    private int protocol;
    private String epoch;

    private DaemonConnection(ClientOptions options, SocketChannel channel) throws IOException {
        this.options = options;
        this.channel = channel;
        this.writeSelector = Selector.open();
        try {
            channel.register(writeSelector, SelectionKey.OP_WRITE);
            this.reader = new FrameReader(channel, options.maxFrameBytes(), options.readTimeout());
        } catch (IOException e) {
            writeSelector.close();
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
        long deadline = System.nanoTime() + options.readTimeout().toNanos();
        writeLock.lock();
        try {
            for (byte[] f : toSend) {
                ByteBuffer b = ByteBuffer.wrap(f);
                while (b.hasRemaining()) {
                    if (channel.write(b) == 0) {
                        if (System.nanoTime() - deadline >= 0) {
                            throw new SocketTimeoutException("the channel daemon took no bytes for "
                                    + options.readTimeout().toMillis() + " ms");
                        }
                        awaitWritable();
                    }
                }
            }
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Starts writing {@code buffer}: its producers write inline from now on, and a writer thread takes the rest.
     *
     * @param periodic frames to send with each ping (for example claims to try again); called on the writer thread
     * @param threadDeaths told when the writer thread dies of an uncaught exception, or null
     */
    void startWriter(OutboundBuffer buffer, String name, Supplier<List<byte[]>> periodic,
                     Thread.UncaughtExceptionHandler threadDeaths) {
        this.buffer = buffer;
        writer = new Thread(() -> writeLoop(periodic), name);
        writer.setDaemon(true);
        if (threadDeaths != null) {
            writer.setUncaughtExceptionHandler(threadDeaths);
        }
        // set before the thread's first drain: a frame queued before it is written by that drain, any later one by
        // its producer (or, when the lock is taken, by whoever holds it and sees it left: see offered)
        buffer.drainer(drainer);
        writer.start();
    }

    private void writeLoop(Supplier<List<byte[]>> periodic) {
        long pingNanos = options.pingInterval().toNanos();
        long nextPing = System.nanoTime() + pingNanos;
        try {
            while (!closed) {
                writeLock.lock();
                try {
                    drainLocked(true, 1);
                    if (System.nanoTime() - nextPing >= 0) {
                        // after the batch, ahead of whatever is queued behind it (a backlog must not delay the pong)
                        frames.clear();
                        frames.add(PING);
                        frames.addAll(periodic.get());
                        frameIndex = 0;
                        frameOffset = 0;
                        flushLocked(true);
                        nextPing = System.nanoTime() + pingNanos;
                    }
                } finally {
                    writeLock.unlock();
                }
                if (buffer.isEmpty()) {
                    buffer.awaitKick(Math.max(1, nextPing - System.nanoTime()));
                }
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
     * A producer queued a frame: when no one is writing, write what is queued from this thread, without waiting for
     * the socket. Whoever leaves frames behind (a full socket, its bound reached, frames queued while it held the
     * lock) kicks the writer thread; a producer that finds the lock taken leaves its frame to the holder.
     */
    private void offered() {
        // an interrupted thread's write would close the channel (InterruptibleChannel): leave it to the writer
        if (closed || Thread.currentThread().isInterrupted() || !writeLock.tryLock()) {
            return;
        }
        try {
            drainLocked(false, INLINE_BATCHES);
        } catch (IOException e) {
            if (!closed) {
                LOG.fine(() -> "write to channel daemon " + options.address() + " failed: " + e.getMessage());
            }
            closeSocket();
            return;
        } finally {
            writeLock.unlock();
        }
        // after the unlock: a producer that found the lock taken queued its frame before this check
        if (!buffer.isEmpty()) {
            buffer.kick();
        }
    }

    /**
     * Writes the batch in flight, then further batches, at most {@code maxBatches}. With {@code mayWait} false it
     * stops where the socket is full. Under the write lock; no frame is claimed once the connection is closed.
     */
    private void drainLocked(boolean mayWait, int maxBatches) throws IOException {
        for (int batches = 0; ; batches++) {
            if (!flushLocked(mayWait)) {
                return;
            }
            if (inFlight != null) {
                buffer.commit(inFlight); // written: the kernel has every byte of the batch
                inFlight = null;
            }
            if (batches == maxBatches || closed) {
                return;
            }
            List<OutboundBuffer.Entry> batch = buffer.peek(BATCH_FRAMES);
            if (batch.isEmpty()) {
                return;
            }
            frames.clear();
            frameIndex = 0;
            frameOffset = 0;
            for (OutboundBuffer.Entry e : batch) {
                // a frame to be written at most once is claimed first: then it can no longer be withdrawn
                if (e.claim()) {
                    frames.add(e.frame());
                }
            }
            inFlight = batch;
        }
    }

    /** Writes the batch in flight through {@link #out}; false when the socket is full and {@code mayWait} is false. */
    private boolean flushLocked(boolean mayWait) throws IOException {
        while (true) {
            if (!out.hasRemaining()) {
                if (frameIndex == frames.size()) {
                    return true;
                }
                out.clear();
                while (frameIndex < frames.size() && out.hasRemaining()) {
                    byte[] f = frames.get(frameIndex);
                    int n = Math.min(f.length - frameOffset, out.remaining());
                    out.put(f, frameOffset, n);
                    frameOffset += n;
                    if (frameOffset == f.length) {
                        frameIndex++;
                        frameOffset = 0;
                    }
                }
                out.flip();
            }
            channel.write(out);
            if (out.hasRemaining()) {
                if (!mayWait) {
                    return false;
                }
                awaitWritable();
            }
        }
    }

    /** Waits until the socket takes bytes again, at most a ping interval; fails once the connection is closed. */
    private void awaitWritable() throws IOException {
        if (closed) {
            throw new SocketException("connection to the channel daemon closed");
        }
        try {
            writeSelector.select(Math.max(1, options.pingInterval().toMillis()));
            writeSelector.selectedKeys().clear();
        } catch (ClosedSelectorException e) {
            throw new SocketException("connection to the channel daemon closed");
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
        writeSelector.wakeup();
    }

    /**
     * Closes the socket and waits (at most 2 s) for the writer thread to end and for a producer writing inline to let
     * go of the write lock: from then on no frame is claimed on this connection.
     */
    @Override
    public void close() {
        closed = true;
        closeSocket();
        if (buffer != null) {
            buffer.clearDrainer(drainer);
        }
        Thread w = writer;
        if (w != null && w != Thread.currentThread()) {
            w.interrupt();
            try {
                w.join(TimeUnit.SECONDS.toMillis(2));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            // a producer holds it for one non-blocking write at most
            if (writeLock.tryLock(2, TimeUnit.SECONDS)) {
                writeLock.unlock();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (w == null || !w.isAlive() || w == Thread.currentThread()) {
            closeQuietly(writeSelector);
        }
        reader.close();
    }

    private static void closeQuietly(Selector s) {
        try {
            s.close();
        } catch (IOException e) {
            // nothing more to do
        }
    }
}
