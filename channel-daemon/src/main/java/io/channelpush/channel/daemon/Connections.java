package io.channelpush.channel.daemon;

import io.channelpush.channel.log.RateLimitedLog;
import io.channelpush.channel.protocol.ErrorCode;
import io.channelpush.channel.protocol.Messages;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The daemon's open connections and their write side: a frame queued for a connection ({@link #send}) marks it
 * dirty, and every dirty connection is flushed once per turn of the loop ({@link #flushDirty}); a refusal answers
 * with an error frame; a fatal error, a slow consumer or a laggard at the memory bound is detached from the broker
 * and closed once its error frame is flushed; {@link #close} and {@link #forget} give back its socket and bytes.
 * The broker and its services answer through here. Confined to the event-loop thread.
 */
final class Connections {
    // the event loop's logger: the daemon's connection lines stay together, as Listening's do
    private static final Logger LOG = Logger.getLogger(EventLoop.class.getName());
    private static final long CLOSE_GRACE_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** A reply always fits a connection holding less than this outbound; past it, it must fit the budget. */
    static final int REPLY_SLACK_BYTES = 64 * 1024;

    private final DaemonConfig config;
    private final MemoryBudget budget;
    /** Takes a connection out of the broker's subscriptions, claims, queues and streams. */
    private final Consumer<Connection> detach;
    private final RateLimitedLog refusals = new RateLimitedLog(LOG, Level.WARNING);
    private final RateLimitedLog connectionFailures = new RateLimitedLog(LOG, Level.SEVERE);
    private final ByteBuffer writeBuffer = ByteBuffer.allocateDirect(64 * 1024);
    private final Set<Connection> open = new HashSet<>();
    private final List<Connection> dirty = new ArrayList<>();

    Connections(DaemonConfig config, MemoryBudget budget, Consumer<Connection> detach) {
        this.config = config;
        this.budget = budget;
        this.detach = detach;
    }

    /** A connection was accepted. */
    void add(Connection c) {
        open.add(c);
    }

    int count() {
        return open.size();
    }

    /** The open connections now, safe to iterate while closing some. */
    List<Connection> snapshot() {
        return new ArrayList<>(open);
    }

    /** One connection's handling threw: that connection alone is closed, with one (rate-limited) line. */
    void failed(Connection c, RuntimeException e) {
        connectionFailures.log(() -> "internal error while serving " + c + ": " + e
                + "; that connection is closed, the daemon goes on (please report this as a bug)");
        try {
            fail(c, ErrorCode.INTERNAL_ERROR, "the daemon failed to handle this connection's input; reconnect");
        } catch (RuntimeException again) {
            forget(c);
        }
    }

    /** A request was refused with a non-fatal code: the client is told, and a rate-limited line logged. */
    void refuse(Connection c, ErrorCode code, String message, String channel) {
        logRefusal(c, code, message);
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
    void fail(Connection c, ErrorCode code, String message) {
        if (c.closing()) {
            return;
        }
        if (!code.fatal()) {
            send(c, Messages.error(code, message));
            return;
        }
        detach.accept(c);
        c.closeAfter(Messages.error(code, message), System.nanoTime() + CLOSE_GRACE_NANOS);
        if (c.key.isValid()) {
            c.key.interestOps(c.key.interestOps() & ~SelectionKey.OP_READ);
        }
        markDirty(c);
    }

    /** Writes what each dirty connection has queued (one write each); closes those done closing. */
    void flushDirty() {
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

    void close(Connection c) {
        if (!open.contains(c)) {
            return;
        }
        detach.accept(c);
        forget(c);
    }

    /** Closes the socket and gives back the connection's bytes, without the broker (which may be what failed). */
    void forget(Connection c) {
        if (!open.remove(c)) {
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

    /** Tells every connection {@code shutting_down}, flushes what it can without waiting and closes it. */
    void shutdownAll() {
        byte[] bye = Messages.error(ErrorCode.SHUTTING_DOWN, "the channel daemon is stopping; reconnect later");
        for (Connection c : snapshot()) {
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
