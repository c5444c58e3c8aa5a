package io.channelpush.channel.daemon;

import io.channelpush.channel.protocol.ErrorCode;
import io.channelpush.channel.protocol.Message;
import io.channelpush.channel.protocol.Messages;
import io.channelpush.channel.protocol.ProtocolException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The daemon's only I/O thread: one selector for the listening socket and every connection.
 *
 * <p>Why one thread: the daemon's work per message is tiny (parse once, encode the event once, append the same
 * bytes to each subscriber's queue), so a single loop keeps the subscription table lock-free and, above all,
 * coalesces writes: everything that arrives in one turn of the loop is appended first and then flushed with one
 * {@code write} per connection (the queued frames copied into one direct buffer, up to 64 KiB per call), so a burst
 * of publishes to a node costs one system call, not one per event. Hundreds of node connections fit easily; blocking I/O would need two threads per connection and one
 * system call per event. Everything here runs on that thread except {@link #wakeupForClose()}.
 */
final class EventLoop implements Runnable {
    private static final Logger LOG = Logger.getLogger(EventLoop.class.getName());
    private static final long SWEEP_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
    private static final long CLOSE_GRACE_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final Selector selector;
    private final ServerSocketChannel server;
    private final DaemonConfig config;
    private final Broker broker;
    private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(64 * 1024);
    private final ByteBuffer writeBuffer = ByteBuffer.allocateDirect(64 * 1024);
    private final Set<Connection> connections = new HashSet<>();
    private final List<Connection> dirty = new ArrayList<>();
    private volatile boolean stopping;
    private long nextId = 1;
    private long lastSweep = System.nanoTime();
    private long rateWindowStart = System.nanoTime();
    private long rateWindowEvents;
    private double eventsPerSecond;

    EventLoop(Selector selector, ServerSocketChannel server, DaemonConfig config, String serverName) {
        this.selector = selector;
        this.server = server;
        this.config = config;
        this.broker = new Broker(this, config, serverName);
    }

    @Override
    public void run() {
        try {
            while (!stopping) {
                selector.select(SWEEP_NANOS / 1_000_000);
                Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                while (it.hasNext()) {
                    SelectionKey key = it.next();
                    it.remove();
                    dispatch(key);
                }
                flushDirty();
                long now = System.nanoTime();
                if (now - lastSweep >= SWEEP_NANOS) {
                    sweep(now);
                    lastSweep = now;
                }
            }
        } catch (IOException | ClosedSelectorException e) {
            if (!stopping) {
                LOG.log(Level.SEVERE, "channel daemon event loop failed; the daemon stops", e);
            }
        } finally {
            shutdownConnections();
        }
    }

    void wakeupForClose() {
        stopping = true;
        selector.wakeup();
    }

    int connectionCount() {
        return connections.size();
    }

    double eventsPerSecond() {
        return eventsPerSecond;
    }

    private void dispatch(SelectionKey key) {
        if (!key.isValid()) {
            return;
        }
        if (key.isAcceptable()) {
            accept();
            return;
        }
        Connection c = (Connection) key.attachment();
        try {
            if (key.isReadable()) {
                read(c);
            }
            if (key.isValid() && key.isWritable()) {
                markDirty(c);
            }
        } catch (IOException e) {
            LOG.fine(() -> c + " lost: " + e.getMessage());
            close(c);
        }
    }

    private void accept() {
        try {
            SocketChannel ch;
            while ((ch = server.accept()) != null) {
                ch.configureBlocking(false);
                ch.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
                SelectionKey key = ch.register(selector, SelectionKey.OP_READ);
                Connection c = new Connection(nextId++, ch, key, config.maxFrameBytes(),
                        config.outboundLimitBytes(), System.nanoTime());
                key.attach(c);
                connections.add(c);
                LOG.fine(() -> "accepted " + c);
            }
        } catch (IOException e) {
            LOG.warning("accept failed: " + e.getMessage() + " (check the file-descriptor limit, ulimit -n)");
        }
    }

    private void read(Connection c) throws IOException {
        readBuffer.clear();
        int n = c.channel.read(readBuffer);
        if (n < 0) {
            LOG.fine(() -> c + " closed by peer");
            close(c);
            return;
        }
        c.lastInboundNanos = System.nanoTime();
        readBuffer.flip();
        try {
            byte[] body;
            while (!c.closing() && (body = c.decoder.next(readBuffer)) != null) {
                broker.handle(c, Message.parse(body));
            }
        } catch (ProtocolException e) {
            LOG.info(() -> "protocol error from " + c + ": " + e.code().wireName() + ": " + e.getMessage()
                    + "; connection closed");
            fail(c, e.code(), e.getMessage());
        }
    }

    /** Queues a frame for a connection; overflow closes it as a slow consumer. */
    void send(Connection c, byte[] frame) {
        if (c.closing()) {
            return;
        }
        if (c.queue(frame)) {
            markDirty(c);
        } else {
            slowConsumer(c);
        }
    }

    void markDirty(Connection c) {
        if (!c.inDirtyList) {
            c.inDirtyList = true;
            dirty.add(c);
        }
    }

    void slowConsumer(Connection c) {
        if (c.closing()) {
            return;
        }
        LOG.warning(() -> c + " is a slow consumer: more than " + config.outboundLimitBytes()
                + " bytes queued; connection closed");
        c.dropUnsent();
        fail(c, ErrorCode.SLOW_CONSUMER,
                "outbound buffer of " + config.outboundLimitBytes() + " bytes overflowed; read faster");
    }

    /** Sends an error frame; a fatal code stops reading, detaches the connection and closes it once flushed. */
    private void fail(Connection c, ErrorCode code, String message) {
        if (c.closing()) {
            return;
        }
        if (!code.fatal()) {
            send(c, Messages.error(code, message));
            return;
        }
        broker.remove(c);
        c.closeAfter(Messages.error(code, message), System.nanoTime() + CLOSE_GRACE_NANOS);
        if (c.key.isValid()) {
            c.key.interestOps(c.key.interestOps() & ~SelectionKey.OP_READ);
        }
        markDirty(c);
    }

    private void flushDirty() {
        for (Connection c : dirty) {
            c.inDirtyList = false;
            if (!c.key.isValid()) {
                continue;
            }
            try {
                boolean done = c.flush(writeBuffer);
                if (done && c.closing()) {
                    close(c);
                } else {
                    int ops = c.key.interestOps();
                    c.key.interestOps(done ? ops & ~SelectionKey.OP_WRITE : ops | SelectionKey.OP_WRITE);
                }
            } catch (IOException e) {
                LOG.fine(() -> c + " lost while writing: " + e.getMessage());
                close(c);
            }
        }
        dirty.clear();
    }

    private void sweep(long now) {
        broker.endWarmupIfDue(now);
        long idleNanos = config.idleTimeout().toNanos();
        for (Connection c : new ArrayList<>(connections)) {
            if (c.closing()) {
                if (now - c.closeDeadlineNanos > 0) {
                    close(c);
                }
            } else if (now - c.lastInboundNanos > idleNanos) {
                LOG.info(() -> c + " sent nothing for " + config.idleTimeout().toSeconds() + " s; connection closed");
                fail(c, ErrorCode.IDLE_TIMEOUT, "nothing received for " + config.idleTimeout().toSeconds()
                        + " s; send a ping more often");
            }
        }
        flushDirty();
        long delivered = broker.eventsDelivered();
        double seconds = (now - rateWindowStart) / 1e9;
        if (seconds >= 1) {
            eventsPerSecond = (delivered - rateWindowEvents) / seconds;
            rateWindowEvents = delivered;
            rateWindowStart = now;
        }
    }

    private void close(Connection c) {
        if (!connections.remove(c)) {
            return;
        }
        broker.remove(c);
        c.key.cancel();
        try {
            c.channel.close();
        } catch (IOException e) {
            LOG.fine(() -> "closing " + c + ": " + e.getMessage());
        }
    }

    private void shutdownConnections() {
        byte[] bye = Messages.error(ErrorCode.SHUTTING_DOWN, "the channel daemon is stopping; reconnect later");
        for (Connection c : new ArrayList<>(connections)) {
            if (!c.closing()) {
                c.dropUnsent();
                c.closeAfter(bye, 0);
            }
            try {
                c.flush(writeBuffer);
            } catch (IOException e) {
                // closing anyway
            }
            close(c);
        }
    }
}
