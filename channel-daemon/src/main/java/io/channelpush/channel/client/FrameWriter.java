package io.channelpush.channel.client;

import io.channelpush.channel.protocol.MessageType;
import io.channelpush.channel.protocol.Messages;
import java.io.IOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * The writing half of a {@link DaemonConnection}: whoever holds the write lock writes, many frames per system call.
 * A thread that queues a frame while no one writes writes it at once, from its own thread, without waiting: a frame
 * costs no hand-off to another thread while the socket takes it ({@link #offered}). What it cannot write (a full
 * socket; frames queued meanwhile past its bound) is left to the writer thread, which also sends a ping every ping
 * interval and is the only one that waits for the socket (on a selector of its own). So the one writer of the socket
 * is whoever holds the lock, and frames go out in queue order. Thread-safe; after {@link #close} returns no frame is
 * claimed any more.
 */
final class FrameWriter implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(DaemonConnection.class.getName());
    private static final int BATCH_FRAMES = 512;
    /** Batches a producer writes inline at most before it leaves the rest to the writer thread. */
    private static final int INLINE_BATCHES = 2;
    private static final byte[] PING = Messages.simple(MessageType.PING);

    private final ClientOptions options;
    private final SocketChannel channel;
    private final Selector writeSelector;
    /** Closes the connection when a write fails (which ends its reader). */
    private final Runnable closeSocket;
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

    FrameWriter(SocketChannel channel, ClientOptions options, Runnable closeSocket) throws IOException {
        this.channel = channel;
        this.options = options;
        this.closeSocket = closeSocket;
        this.writeSelector = Selector.open();
        try {
            channel.register(writeSelector, SelectionKey.OP_WRITE);
        } catch (IOException | RuntimeException e) {
            writeSelector.close();
            throw e;
        }
    }

    /** Writes frames straight to the socket, waiting at most the read timeout for it; only before {@link #start}. */
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
    void start(OutboundBuffer buffer, String name, Supplier<List<byte[]>> periodic,
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
            closeSocket.run();
        } catch (InterruptedException e) {
            closeSocket.run();
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
            closeSocket.run();
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

    /** Wakes the writer thread waiting for the socket (the channel was closed: its next write fails). */
    void wakeup() {
        writeSelector.wakeup();
    }

    /**
     * Stops writing: waits (at most 2 s) for the writer thread to end and for a producer writing inline to let go of
     * the write lock. The channel is closed first by the connection.
     */
    @Override
    public void close() {
        closed = true;
        writeSelector.wakeup();
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
            try {
                writeSelector.close();
            } catch (IOException e) {
                // nothing more to do
            }
        }
    }
}
