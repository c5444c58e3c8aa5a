package io.channelpush.channel.daemon;

import io.channelpush.channel.log.RateLimitedLog;
import io.channelpush.channel.protocol.ErrorCode;
import io.channelpush.channel.protocol.Message;
import io.channelpush.channel.protocol.RawFrame;
import io.channelpush.channel.protocol.MessageType;
import io.channelpush.channel.protocol.ProtocolException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.util.Iterator;
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
 * <p>Here: the turn of the loop, the reading and routing of each frame (the hot path as bytes to the
 * {@link Broker}), and the periodic sweep (hello and idle timeouts, the events-per-second figure). The table of open
 * connections, their writes and their closing are {@link Connections}; accepting is {@link Listening}.
 *
 * <p>Failures: an exception from one connection's handling closes that connection only (one rate-limited log
 * line). Anything that escapes the loop itself (an {@link Error} such as {@link OutOfMemoryError}, a failing
 * selector) closes every connection and the listening socket and is handed to the fatal-error handler, which in
 * the daemon's own process ends the process with a non-zero status so that a supervisor restarts it.
 */
final class EventLoop implements Runnable {
    private static final Logger LOG = Logger.getLogger(EventLoop.class.getName());
    private static final long SWEEP_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

    private final Selector selector;
    private final ServerSocketChannel server;
    private final DaemonConfig config;
    private final Consumer<Message> probe;
    private final Consumer<Throwable> fatal;
    private final MemoryBudget budget;
    private final Broker broker;
    private final Listening listening;
    private final RateLimitedLog protocolErrors = new RateLimitedLog(LOG, Level.INFO);
    private final RateLimitedLog timeouts = new RateLimitedLog(LOG, Level.INFO);
    private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(64 * 1024);
    private final Connections connections;
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
        // a method reference: the broker is built next, with these connections; none is detached before the loop runs
        this.connections = new Connections(config, budget, this::detach);
        this.broker = new Broker(connections, this::eventsPerSecond, config, serverName, budget, streams);
        this.listening = new Listening(selector, serverKey, acceptor, config, budget, connections::add,
                connections::count);
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
            connections.shutdownAll();
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
        connections.flushDirty();
        long now = System.nanoTime();
        listening.resumeIfDue(now);
        if (now - lastSweep >= SWEEP_NANOS) {
            sweep(now);
            lastSweep = now;
        }
    }

    private void detach(Connection c) {
        broker.remove(c);
    }

    void wakeupForClose() {
        stopping = true;
        selector.wakeup();
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
                connections.markDirty(c);
            }
        } catch (IOException e) {
            LOG.fine(() -> c + " lost: " + e.getMessage());
            connections.close(c);
        } catch (RuntimeException e) {
            connections.failed(c, e);
        }
    }

    private void read(Connection c) throws IOException {
        readBuffer.clear();
        int n = c.channel.read(readBuffer);
        if (n < 0) {
            LOG.fine(() -> c + " closed by peer");
            connections.close(c);
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
                    connections.refuse(c, ErrorCode.OVER_CAPACITY, "item of " + body.length + " bytes dropped: queue items "
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
            connections.logRefusal(c, e.code(), e.getMessage());
        }
        connections.fail(c, e.code(), e.getMessage());
        return !e.code().fatal();
    }

    private void sweep(long now) {
        broker.endWarmupIfDue(now);
        broker.streams().sweep();
        long idleNanos = config.idleTimeout().toNanos();
        long helloNanos = config.helloTimeout().toNanos();
        for (Connection c : connections.snapshot()) {
            if (c.closing()) {
                if (now - c.closeDeadlineNanos > 0) {
                    connections.close(c);
                }
            } else if (!c.helloDone && now - c.acceptedNanos > helloNanos) {
                timeouts.log(() -> c + " sent no hello within " + config.helloTimeout().toMillis()
                        + " ms; connection closed");
                connections.fail(c, ErrorCode.HELLO_TIMEOUT,
                        "no hello within " + config.helloTimeout().toMillis() + " ms");
            } else if (now - c.lastInboundNanos > idleNanos) {
                timeouts.log(() -> c + " sent nothing for " + config.idleTimeout().toSeconds()
                        + " s; connection closed");
                connections.fail(c, ErrorCode.IDLE_TIMEOUT, "nothing received for "
                        + config.idleTimeout().toSeconds() + " s; send a ping more often");
            }
        }
        connections.flushDirty();
        long delivered = broker.eventsDelivered();
        double seconds = (now - rateWindowStart) / 1e9;
        if (seconds >= 1) {
            eventsPerSecond = (delivered - rateWindowEvents) / seconds;
            rateWindowEvents = delivered;
            rateWindowStart = now;
        }
    }
}
