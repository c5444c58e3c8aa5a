package io.channelpush.channel.daemon;

import io.channelpush.channel.log.RateLimitedLog;
import io.channelpush.channel.protocol.ErrorCode;
import io.channelpush.channel.protocol.Message;
import io.channelpush.channel.protocol.RawFrame;
import io.channelpush.channel.protocol.MessageType;
import io.channelpush.channel.protocol.Messages;
import io.channelpush.channel.protocol.ProtocolException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The daemon's only I/O thread: one selector for the listening socket and every connection.
 *
 * <p>Why one thread: the daemon's work per message is tiny (scan a publish once, splice its data bytes into one event frame, append the same
 * bytes to each subscriber's queue), so a single loop keeps the subscription table lock-free and, above all,
 * coalesces writes: everything that arrives in one turn of the loop is appended first and then flushed with one
 * {@code write} per connection (the queued frames copied into one direct buffer, up to 64 KiB per call), so a burst
 * of publishes to a node costs one system call, not one per event. Everything here runs on that thread except
 * {@link #wakeupForClose()}.
 *
 * <p>Failures: an exception from one connection's handling closes that connection only (one rate-limited log
 * line). Anything that escapes the loop itself (an {@link Error} such as {@link OutOfMemoryError}, a failing
 * selector) closes every connection and the listening socket and is handed to the fatal-error handler, which in
 * the daemon's own process ends the process with a non-zero status so that a supervisor restarts it.
 */
final class EventLoop implements Runnable {
    private static final Logger LOG = Logger.getLogger(EventLoop.class.getName());
    private static final long SWEEP_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
    private static final long CLOSE_GRACE_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** A reply always fits a connection holding less than this outbound; past it, it must fit the budget. */
    static final int REPLY_SLACK_BYTES = 64 * 1024;

    private final Selector selector;
    private final ServerSocketChannel server;
    private final DaemonConfig config;
    private final Consumer<Message> probe;
    private final Consumer<Throwable> fatal;
    private final MemoryBudget budget;
    private final Broker broker;
    private final Listening listening;
    private final RateLimitedLog protocolErrors = new RateLimitedLog(LOG, Level.INFO);
    private final RateLimitedLog refusals = new RateLimitedLog(LOG, Level.WARNING);
    private final RateLimitedLog connectionFailures = new RateLimitedLog(LOG, Level.SEVERE);
    private final RateLimitedLog timeouts = new RateLimitedLog(LOG, Level.INFO);
    private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(64 * 1024);
    private final ByteBuffer writeBuffer = ByteBuffer.allocateDirect(64 * 1024);
    private final Set<Connection> connections = new HashSet<>();
    private final List<Connection> dirty = new ArrayList<>();
    private volatile boolean stopping;
    /** Whether this turn of the loop has handled a body above {@link MemoryBudget#SMALL_FRAME_BYTES}. */
    private boolean largeBodyHandled;
    private long lastSweep = System.nanoTime();
    private long rateWindowStart = System.nanoTime();
    private long rateWindowEvents;
    private double eventsPerSecond;

    /**
     * @param acceptor takes pending connections from {@code server}
     * @param probe sees every message parsed into a tree before the broker (a test seam; a no-op outside tests);
     *     publishes and enqueues routed as bytes ({@link RawFrame}) do not pass it
     * @param fatal told when the loop itself dies, after every socket is closed
     */
    EventLoop(Selector selector, ServerSocketChannel server, SelectionKey serverKey, DaemonConfig config,
              String serverName, Listening.Acceptor acceptor, Consumer<Message> probe, Consumer<Throwable> fatal,
              Streams streams) {
        this.selector = selector;
        this.server = server;
        this.config = config;
        this.probe = probe;
        this.fatal = fatal;
        this.budget = new MemoryBudget(config.memoryLimitBytes());
        this.broker = new Broker(this, config, serverName, budget, streams);
        this.listening = new Listening(selector, serverKey, acceptor, config, budget, connections::add,
                connections::size);
    }

    @Override
    public void run() {
        Throwable death = null;
        try {
            while (!stopping) {
                turn();
            }
        } catch (ClosedSelectorException e) {
            if (!stopping) {
                death = e;
            }
        } catch (Throwable e) {
            death = e;
        }
        try {
            shutdownConnections();
        } catch (Throwable e) {
            death = death == null ? e : death;
        }
        if (death != null) {
            // closing a registered channel only takes effect when its selector lets go of it: close both
            for (AutoCloseable resource : new AutoCloseable[] {server, selector}) {
                try {
                    resource.close();
                } catch (Throwable e) {
                    // the process is going down or it is already closed
                }
            }
            Throwable d = death;
            LOG.log(Level.SEVERE, "channel daemon event loop died (" + d + "); every connection and the "
                    + "listening socket are closed", d);
            fatal.accept(d);
        }
    }

    private void turn() throws IOException {
        long wait = listening.waitNanos(System.nanoTime(), SWEEP_NANOS);
        if (broker.streams().replayReady()) {
            selector.selectNow(); // a replay has more to send and room for it: do not wait for I/O
        } else {
            selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(wait)));
        }
        largeBodyHandled = false;
        Iterator<SelectionKey> it = selector.selectedKeys().iterator();
        while (it.hasNext()) {
            SelectionKey key = it.next();
            it.remove();
            dispatch(key);
        }
        broker.streams().commit(); // one write per stream for the batch (and one flush with --fsync always), then acks
        broker.streams().pump(broker);
        flushDirty();
        long now = System.nanoTime();
        listening.resumeIfDue(now);
        if (now - lastSweep >= SWEEP_NANOS) {
            sweep(now);
            lastSweep = now;
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
            listening.acceptAll();
            return;
        }
        Connection c = (Connection) key.attachment();
        try {
            // Fairness: one large body (a 1 MB queue item, say) per turn. A connection in the middle of another
            // one is not read this turn; its key stays readable, so it is read in the next. Every turn still reads
            // every other connection, so small frames wait for one large body at most, not one per hoarder.
            if (key.isReadable() && !(largeBodyHandled
                    && c.decoder.partialBodyBytes() > MemoryBudget.SMALL_FRAME_BYTES)) {
                read(c);
            }
            if (key.isValid() && key.isWritable()) {
                markDirty(c);
            }
        } catch (IOException e) {
            LOG.fine(() -> c + " lost: " + e.getMessage());
            close(c);
        } catch (RuntimeException e) {
            connectionFailed(c, e);
        }
    }

    /** One connection's handling threw: that connection alone is closed, with one (rate-limited) line. */
    private void connectionFailed(Connection c, RuntimeException e) {
        connectionFailures.log(() -> "internal error while serving " + c + ": " + e
                + "; that connection is closed, the daemon goes on (please report this as a bug)");
        try {
            fail(c, ErrorCode.INTERNAL_ERROR, "the daemon failed to handle this connection's input; reconnect");
        } catch (RuntimeException again) {
            forget(c);
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
        while (!c.closing()) {
            byte[] body;
            try {
                body = c.decoder.next(readBuffer);
            } catch (ProtocolException e) {
                if (!protocolError(c, e)) {
                    return;
                }
                continue;
            }
            if (body == null) {
                return;
            }
            if (body.length > MemoryBudget.SMALL_FRAME_BYTES) {
                largeBodyHandled = true;
            }
            try {
                if (body.length > MemoryBudget.SMALL_FRAME_BYTES && !budget.queuedFits(body.length)
                        && Message.peekType(body) == MessageType.ENQUEUE) {
                    // refused anyway: spare the parse of a large item (what a hoarding client sends)
                    refuse(c, ErrorCode.OVER_CAPACITY, "item of " + body.length + " bytes dropped: queue items "
                            + "already use their half of the daemon's memory bound; retry later", null);
                    continue;
                }
                RawFrame raw = c.helloDone ? RawFrame.scan(body) : null;
                if (raw != null && (raw.type() == MessageType.PUBLISH || raw.type() == MessageType.ENQUEUE)) {
                    broker.handleRaw(c, raw); // the hot path: data is routed as bytes, never parsed
                    continue;
                }
                Message m = Message.parse(body);
                probe.accept(m);
                broker.handle(c, m);
            } catch (ProtocolException e) {
                protocolError(c, e);
            } finally {
                budget.releaseInbound(body.length);
            }
        }
    }

    /** Answers a protocol error; returns true when the connection stays open (a non-fatal code). */
    private boolean protocolError(Connection c, ProtocolException e) {
        if (e.code().fatal()) {
            protocolErrors.log(() -> "protocol error from " + c + ": " + e.code().wireName() + ": " + e.getMessage()
                    + "; connection closed");
        } else {
            refusals.log(() -> "refused a request from " + c + ": " + e.code().wireName() + ": " + e.getMessage());
        }
        fail(c, e.code(), e.getMessage());
        return !e.code().fatal();
    }

    /** A request was refused with a non-fatal code: the client is told, and a rate-limited line logged. */
    void refuse(Connection c, ErrorCode code, String message, String channel) {
        refusals.log(() -> "refused a request from " + c + ": " + code.wireName() + ": " + message);
        send(c, channel == null ? Messages.error(code, message) : Messages.error(code, message, channel));
    }

    /** Logs a refusal (rate-limited) whose answer the caller sends. */
    void logRefusal(Connection c, ErrorCode code, String message) {
        refusals.log(() -> "refused a request from " + c + ": " + code.wireName() + ": " + message);
    }

    /** The daemon could not read a log for this connection: it is closed, so that its client resumes again. */
    void storageFailure(Connection c, String message) {
        c.dropUnsent();
        fail(c, ErrorCode.INTERNAL_ERROR, message);
    }

    /**
     * Queues a reply or a job for a connection. Overflowing the connection's own outbound limit closes it as a
     * slow consumer; so does a reply that does not fit the daemon's memory bound while the connection already holds
     * {@link #REPLY_SLACK_BYTES} unread (a client that reads its replies always gets them).
     */
    void send(Connection c, byte[] frame) {
        if (c.closing()) {
            return;
        }
        if (!budget.fits(frame.length) && c.pendingBytes() >= REPLY_SLACK_BYTES) {
            slowConsumer(c, "the daemon is at its memory bound and this connection does not read its replies");
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
        slowConsumer(c, "more than " + config.outboundLimitBytes() + " bytes queued");
    }

    /** Closes a connection that holds unsent bytes the daemon, at its memory bound, needs for others. */
    void laggard(Connection c) {
        slowConsumer(c, "the daemon is at its memory bound and this connection is " + c.pendingBytes()
                + " bytes behind");
    }

    private void slowConsumer(Connection c, String why) {
        if (c.closing()) {
            return;
        }
        refusals.log(() -> c + " is a slow consumer: " + why + "; connection closed");
        c.dropUnsent();
        fail(c, ErrorCode.SLOW_CONSUMER, why + "; read faster");
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
            } catch (RuntimeException e) {
                connectionFailures.log(() -> "internal error while writing to " + c + ": " + e + "; connection closed");
                forget(c);
            }
        }
        dirty.clear();
    }

    private void sweep(long now) {
        broker.endWarmupIfDue(now);
        broker.streams().sweep();
        long idleNanos = config.idleTimeout().toNanos();
        long helloNanos = config.helloTimeout().toNanos();
        for (Connection c : new ArrayList<>(connections)) {
            if (c.closing()) {
                if (now - c.closeDeadlineNanos > 0) {
                    close(c);
                }
            } else if (!c.helloDone && now - c.acceptedNanos > helloNanos) {
                timeouts.log(() -> c + " sent no hello within " + config.helloTimeout().toMillis()
                        + " ms; connection closed");
                fail(c, ErrorCode.HELLO_TIMEOUT, "no hello within " + config.helloTimeout().toMillis() + " ms");
            } else if (now - c.lastInboundNanos > idleNanos) {
                timeouts.log(() -> c + " sent nothing for " + config.idleTimeout().toSeconds()
                        + " s; connection closed");
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
        if (!connections.contains(c)) {
            return;
        }
        broker.remove(c);
        forget(c);
    }

    /** Closes the socket and gives back the connection's bytes, without the broker (which may be what failed). */
    private void forget(Connection c) {
        if (!connections.remove(c)) {
            return;
        }
        c.key.cancel();
        c.release();
        try {
            c.channel.close();
        } catch (IOException e) {
            LOG.fine(() -> "closing " + c + ": " + e.getMessage());
        }
    }

    private void shutdownConnections() {
        byte[] bye = Messages.error(ErrorCode.SHUTTING_DOWN, "the channel daemon is stopping; reconnect later");
        for (Connection c : new ArrayList<>(connections)) {
            try {
                if (!c.closing()) {
                    c.dropUnsent();
                    c.closeAfter(bye, 0);
                }
                c.flush(writeBuffer);
            } catch (IOException | RuntimeException e) {
                // closing anyway
            }
            try {
                close(c);
            } catch (RuntimeException e) {
                forget(c);
            }
        }
    }
}
