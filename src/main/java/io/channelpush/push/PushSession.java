package io.channelpush.push;

import io.channelpush.push.auth.ConnectionIdentity;
import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * One WebSocket client of this node: its id, its groups, and its outbound queue. Sends never block the caller:
 * messages go to the queue and a drain hands them to the container ({@link FrameSender}) in order, at most one
 * drain at a time per session (no locks), batched so that what queued up meanwhile costs one socket write. The
 * drain is the connection's one writer: pings and the close frame ({@link #close(CloseCode)}, the one way this
 * node closes a connection) go through the same queue. The queue is bounded in bytes, counted until the container
 * reports each message written; a client that lets it fill up is closed with 1013 (try again later). How fast the
 * client may ask is {@link ClientRates}'; what a {@code recover} waits for, {@link LowWater}. Thread-safe.
 */
final class PushSession {
    private static final Logger LOG = Logger.getLogger(PushSession.class.getName());

    /** A queued ping. */
    private static final Object PING = new Object();

    /** A queued close: the last thing the drain writes. */
    private record Close(CloseCode code, String reason) {
    }

    final long id;
    final Set<String> groups = ConcurrentHashMap.newKeySet();
    private final long queueLimitBytes;
    private final Consumer<PushSession> onSlow;
    private final ClientCloseLog closeLog;
    /** Messages, pings, and at most one {@link Close}: the last thing to send. */
    private final ConcurrentLinkedQueue<Object> queue = new ConcurrentLinkedQueue<>();
    private final AtomicLong queuedBytes = new AtomicLong();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final FrameSender sender;
    private final DrainGroup drains;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** This connection's commands waiting for the node's publish thread ({@link ClientCommands#handle}). */
    private volatile int commandsQueued;
    private static final AtomicIntegerFieldUpdater<PushSession> COMMANDS_QUEUED =
            AtomicIntegerFieldUpdater.newUpdater(PushSession.class, "commandsQueued");

    private volatile long lastPongNanos = System.nanoTime();
    /**
     * Who the connection is, from its connection token; null when connections are anonymous. Set once, in onOpen,
     * before the welcome line and so before any command of the client.
     */
    volatile ConnectionIdentity identity;
    /** The user this connection belongs to, or null; written only by {@link UserRegistry}, holding this session. */
    volatile String uid;
    /** The user and groups this connection counts for in presence events; guarded by {@link LocalShares}. */
    String presenceUid;
    Set<String> presenceGroups = Set.of();
    /** Whether this connection holds one of the node's {@link ConnectionSlots} (set once, in onOpen). */
    volatile boolean holdsSlot;
    /** Whether the client asked for JSON frames ({@code ?format=json}); set once, in onOpen, before the welcome. */
    volatile boolean json;

    /** Its stream messages and its running {@code recover}, which meet there. */
    final SessionStreams streams = new SessionStreams(this);
    /** Run once when the queue drops below its mark (a recovery's pacing). */
    private final LowWater lowWater = new LowWater();
    /** How fast the client may send commands and recovers. */
    final ClientRates rates;

    /**
     * @param senderFor builds this session's frame sender, given the listener it reports writes and failures to
     * @param groupFor the drain group of the sender's executor
     * @param onSlow told once if this session is closed for letting its queue fill up
     * @param closeLog the node's rate-limited log of the closes a client can provoke
     */
    PushSession(long id, Function<FrameSender.Listener, FrameSender> senderFor, Function<Executor, DrainGroup> groupFor,
                long queueLimitBytes, int commandsPerSecond, Consumer<PushSession> onSlow,
                ClientCloseLog closeLog) {
        this.id = id;
        this.sender = senderFor.apply(new FrameSender.Listener() {
            @Override
            public void sent(OutboundMessage m) {
                lowWater.queueAt(queuedBytes.addAndGet(-m.weight()));
            }

            @Override
            public void failed(Throwable t) {
                PushSession.this.failed(t);
            }
        });
        this.drains = groupFor.apply(sender.executor());
        this.queueLimitBytes = queueLimitBytes;
        this.rates = new ClientRates(this, commandsPerSecond, closeLog);
        this.onSlow = onSlow;
        this.closeLog = closeLog;
    }

    /**
     * Closes the connection with 1009 because the client's message passed {@code limitBytes}: the close frame goes
     * out ahead of anything queued, and the connection is cut once it is written, without reading the rest of
     * that message or waiting for the client's close.
     */
    void closeTooBig(int limitBytes) {
        if (close(CloseCode.TOO_BIG, "message larger than " + limitBytes + " bytes")) {
            LOG.fine(() -> "connection " + id + " closed with 1009: a message passed " + limitBytes + " bytes");
        }
    }

    void pongReceived() {
        lastPongNanos = System.nanoTime();
    }

    /** Queues a ping, or closes the client when it has not answered for {@code timeoutNanos}. */
    void pingOrExpire(long timeoutNanos) {
        if (closed.get()) {
            return;
        }
        if (System.nanoTime() - lastPongNanos > timeoutNanos) {
            if (close(CloseCode.PING_TIMEOUT)) {
                closeLog.noPong.log(() -> "connection " + id + " closed: no pong for " + timeoutNanos / 1_000_000 + " ms");
            }
            return;
        }
        queue.add(PING);
        scheduleDrain();
    }

    /** Closes with {@code code}'s own reason text. @return false when the session was closed already */
    boolean close(CloseCode code) {
        return close(code, code.reason());
    }

    /**
     * The one way this node closes a connection: marks the session closed (nothing more is queued), drops what is
     * queued when {@code code} says so, and queues the close frame for the session's writer. Never blocks; any
     * thread.
     *
     * @return false when the session was closed already (only the first close counts)
     */
    boolean close(CloseCode code, String reason) {
        if (!closed.compareAndSet(false, true)) {
            return false;
        }
        if (code.discardsQueue()) {
            queue.clear();
        }
        queue.add(new Close(code, reason));
        scheduleDrain();
        return true;
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
            if (close(CloseCode.SLOW_CLIENT)) {
                closeLog.slow.log(() -> "connection " + id + " closed as a slow client: more than " + queueLimitBytes
                        + " bytes queued");
                onSlow.accept(this);
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

    /**
     * The drain thread refused the drain (node or connection stopping): there is no writer left, so the close is
     * attempted here, once, and nothing more is sent.
     */
    void drainRefused(RuntimeException e) {
        scheduled.set(false);
        closed.set(true);
        queue.clear();
        LOG.fine(() -> "connection " + id + ": no drain thread (" + e + "); closing");
        try {
            sender.close(CloseCode.SHUTDOWN.toReason(CloseCode.SHUTDOWN.reason()));
        } catch (IOException | RuntimeException ex) {
            LOG.fine(() -> "closing connection " + id + ": " + ex);
        }
    }

    /**
     * Hands everything queued to the container and flushes once, so that messages which arrived while the
     * previous drain ran go out together, several frames per write; a ping ends the batch and starts another; a
     * close ends the drain for good. Runs in its {@link DrainGroup}'s sweep, on the sender's executor (the
     * session's Undertow I/O thread, or one of the node's sender threads), never two at once for one session, so
     * the container receives the frames in queue order.
     */
    void drain() {
        try {
            // Explicit flushing only while draining: frames the container sends on its own (pongs) go out at once
            // the rest of the time.
            sender.begin();
            Object item;
            while ((item = queue.poll()) != null) {
                if (item instanceof OutboundMessage m) {
                    sender.send(m);
                } else if (item == PING) {
                    sender.end();
                    sender.ping();
                    sender.begin();
                } else {
                    sender.end();
                    queue.clear();
                    writeClose((Close) item);
                    return;
                }
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

    private void writeClose(Close c) {
        jakarta.websocket.CloseReason reason = c.code().toReason(c.reason());
        if (c.code().abortive()) {
            sender.abort(reason);
            return;
        }
        try {
            sender.close(reason);
        } catch (IOException | RuntimeException e) {
            LOG.fine(() -> "closing connection " + id + ": " + e);
        }
    }

    private void failed(Throwable t) {
        // The socket is gone or broken: stop sending, let onClose clean up.
        if (close(CloseCode.SEND_FAILED)) {
            LOG.fine(() -> "send to connection " + id + " failed: " + t);
        }
    }

    /**
     * Runs {@code r} once the bytes queued for this client drop below {@code bytes} (at once when they are below
     * already), on the thread that reports the write, or here. At most one waits; a closed session never runs it.
     */
    void whenQueueBelow(long bytes, Runnable r) {
        lowWater.set(bytes, r);
        if (queuedBytes.get() < bytes || closed.get()) {
            Runnable mine = lowWater.take();
            if (mine != null && !closed.get()) {
                mine.run();
            }
        }
    }

    long queueLimitBytes() {
        return queueLimitBytes;
    }

    boolean isClosed() {
        return closed.get();
    }

    /** Marks the session closed (from onClose) so nothing more is queued. */
    void markClosed() {
        closed.set(true);
        queue.clear();
    }

    long queuedBytes() {
        return queuedBytes.get();
    }

    /** Commands of this connection waiting for the node's publish thread. */
    int commandsQueued() {
        return commandsQueued;
    }

    /** @param delta +1 when a command is queued for the publish thread, -1 when it ran or was refused */
    void commandQueued(int delta) {
        COMMANDS_QUEUED.addAndGet(this, delta);
    }
}
