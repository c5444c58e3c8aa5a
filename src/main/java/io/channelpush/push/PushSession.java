package io.channelpush.push;

import jakarta.websocket.CloseReason;
import jakarta.websocket.Session;
import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * One WebSocket client of this node: its id, its groups, and its outbound queue. Sends never block the caller:
 * messages go to the queue and a drain hands them to the container ({@link FrameSender}) in order, at most one
 * drain at a time per session (no locks), batched so that what queued up meanwhile costs one socket write. The
 * queue is bounded in bytes, counted until the container reports each message written; a client that lets it fill
 * up is closed with 1013 (try again later). Thread-safe.
 */
final class PushSession {
    private static final Logger LOG = Logger.getLogger(PushSession.class.getName());

    /** Close reason for a client that keeps sending faster than its command rate. */
    static final CloseReason TOO_CHATTY = new CloseReason(CloseReason.CloseCodes.VIOLATED_POLICY,
            "too many messages per second");
    /** Close reason for a client that stopped answering pings. */
    static final CloseReason PING_TIMEOUT = new CloseReason(CloseReason.CloseCodes.GOING_AWAY, "ping timeout");

    /** Close reason for a client that cannot keep up with its messages. */
    static final CloseReason SLOW_CLIENT = new CloseReason(CloseReason.CloseCodes.TRY_AGAIN_LATER,
            "slow client: send queue full");

    /** Close code for a message over {@code channelpush.max-client-message-bytes}. */
    static final CloseReason.CloseCode TOO_BIG = CloseReason.CloseCodes.TOO_BIG;

    final long id;
    final Session session;
    final Set<String> groups = ConcurrentHashMap.newKeySet();
    private final long queueLimitBytes;
    private final Consumer<PushSession> onSlow;
    private final ClientCloseLog closeLog;
    /** Text messages, and at most one CloseReason: the last thing to send. */
    private final ConcurrentLinkedQueue<Object> queue = new ConcurrentLinkedQueue<>();
    private final AtomicLong queuedBytes = new AtomicLong();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final FrameSender sender;
    private final DrainGroup drains;
    private final AtomicBoolean closed = new AtomicBoolean();

    private final int commandsPerSecond;
    private long windowStart = System.nanoTime();
    private int windowCount;
    private volatile long lastPongNanos = System.nanoTime();
    /** Whether this connection holds one of the node's {@link ConnectionSlots} (set once, in onOpen). */
    volatile boolean holdsSlot;

    PushSession(long id, Session session, FrameSenders senders, long queueLimitBytes, int commandsPerSecond,
                Consumer<PushSession> onSlow, ClientCloseLog closeLog) {
        this.id = id;
        this.session = session;
        this.sender = senders.forSession(session, new FrameSender.Listener() {
            @Override
            public void sent(OutboundMessage m) {
                queuedBytes.addAndGet(-m.weight());
            }

            @Override
            public void failed(Throwable t) {
                PushSession.this.failed(t);
            }
        });
        this.drains = senders.group(sender.executor());
        this.queueLimitBytes = queueLimitBytes;
        this.commandsPerSecond = commandsPerSecond;
        this.onSlow = onSlow;
        this.closeLog = closeLog;
    }

    /**
     * Counts one message from the client against its rate (per one-second window). Over the rate the message is
     * refused with a {@code rate_limited} error (once per window); at twice the rate the connection is closed
     * with 1008. Called by the container's one thread per session.
     *
     * @return true when the message may be handled
     */
    boolean admitCommand() {
        long now = System.nanoTime();
        if (now - windowStart >= 1_000_000_000L) {
            windowStart = now;
            windowCount = 0;
        }
        windowCount++;
        if (windowCount <= commandsPerSecond) {
            return true;
        }
        if (windowCount == commandsPerSecond + 1) {
            send("{\"type\":\"error\",\"code\":\"rate_limited\",\"message\":\"more than " + commandsPerSecond
                    + " messages per second; slow down or the connection is closed\"}");
        } else if (windowCount > 2 * commandsPerSecond && closed.compareAndSet(false, true)) {
            closeLog.tooChatty.log(() -> "connection " + id + " closed: more than " + 2 * commandsPerSecond + " messages per second");
            // after the rate_limited error already queued
            queue.add(TOO_CHATTY);
            scheduleDrain();
        }
        return false;
    }

    /**
     * Closes the connection with 1009 because the client's message passed {@code limitBytes}: the close frame goes
     * out at once, ahead of anything queued, and the connection is cut once it is written, without reading the
     * rest of that message or waiting for the client's close.
     */
    void closeTooBig(int limitBytes) {
        if (closed.compareAndSet(false, true)) {
            queue.clear();
            LOG.fine(() -> "connection " + id + " closed with 1009: a message passed " + limitBytes + " bytes");
            sender.abort(new CloseReason(TOO_BIG, "message larger than " + limitBytes + " bytes"));
        }
    }

    void pongReceived() {
        lastPongNanos = System.nanoTime();
    }

    /** Pings the client, or closes it when it has not answered for {@code timeoutNanos}. */
    void pingOrExpire(long timeoutNanos) {
        if (closed.get()) {
            return;
        }
        if (System.nanoTime() - lastPongNanos > timeoutNanos) {
            closeLog.noPong.log(() -> "connection " + id + " closed: no pong for " + timeoutNanos / 1_000_000 + " ms");
            closeQuietly(PING_TIMEOUT);
            return;
        }
        try {
            session.getAsyncRemote().sendPing(java.nio.ByteBuffer.allocate(0));
        } catch (IOException | RuntimeException e) {
            failed(e);
        }
    }

    /** Queues a text message for this client alone; never blocks. @return false when it was not queued */
    boolean send(String text) {
        return send(OutboundMessage.forOne(text));
    }

    /** Queues a message; never blocks. @return false when it was not queued (closed, or too slow) */
    boolean send(OutboundMessage m) {
        if (closed.get()) {
            return false;
        }
        long size = m.weight();
        if (queuedBytes.addAndGet(size) > queueLimitBytes) {
            queuedBytes.addAndGet(-size);
            if (closed.compareAndSet(false, true)) {
                closeLog.slow.log(() -> "connection " + id + " closed as a slow client: more than " + queueLimitBytes
                        + " bytes queued");
                onSlow.accept(this);
                closeQuietly(SLOW_CLIENT);
            }
            return false;
        }
        queue.add(m);
        scheduleDrain();
        return true;
    }

    /**
     * Schedules a drain unless one is pending. Never drains inline: while the drain waits its turn, later messages
     * join the queue and go out in the same write.
     */
    private void scheduleDrain() {
        if (scheduled.compareAndSet(false, true)) {
            drains.schedule(this);
        }
    }

    /** The drain thread refused the drain (node or connection stopping): nothing more can be sent. */
    void drainRefused(RuntimeException e) {
        scheduled.set(false);
        failed(e);
    }

    /**
     * Hands everything queued to the container and flushes once, so that messages which arrived while the
     * previous drain ran go out together, several frames per write. Runs in its {@link DrainGroup}'s sweep, on the
     * sender's executor (the session's Undertow I/O thread, or one of the node's sender threads), never two at once
     * for one session, so the container receives the frames in queue order.
     */
    void drain() {
        try {
            // Explicit flushing only while draining: frames the container sends on its own (pongs, close
            // frames) go out at once the rest of the time.
            sender.begin();
            Object item;
            while ((item = queue.poll()) != null) {
                if (item instanceof CloseReason reason) {
                    sender.end();
                    closeNow(reason);
                    return;
                }
                sender.send((OutboundMessage) item);
            }
            sender.end();
        } catch (IOException | RuntimeException e) {
            failed(e);
        } finally {
            scheduled.set(false);
            if (!queue.isEmpty()) {
                scheduleDrain();
            }
        }
    }

    private void failed(Throwable t) {
        // The socket is gone or broken: stop sending, let onClose clean up.
        if (closed.compareAndSet(false, true)) {
            LOG.fine(() -> "send to connection " + id + " failed: " + t);
            closeQuietly(new CloseReason(CloseReason.CloseCodes.UNEXPECTED_CONDITION, "send failed"));
        }
        queue.clear();
    }

    boolean isClosed() {
        return closed.get();
    }

    /** Marks the session closed (from onClose) so nothing more is queued. */
    void markClosed() {
        closed.set(true);
        queue.clear();
    }

    void closeQuietly(CloseReason reason) {
        closed.set(true);
        closeNow(reason);
    }

    private void closeNow(CloseReason reason) {
        try {
            if (session.isOpen()) {
                session.close(reason);
            }
        } catch (IOException | RuntimeException e) {
            LOG.fine(() -> "closing connection " + id + ": " + e);
        }
    }

    long queuedBytes() {
        return queuedBytes.get();
    }
}
