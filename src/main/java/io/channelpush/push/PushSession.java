package io.channelpush.push;

import jakarta.websocket.CloseReason;
import jakarta.websocket.Session;
import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * One WebSocket client of this node: its id, its groups, and its outbound queue. Sends are asynchronous and
 * ordered without locks: one send is in flight at a time, and whichever of the sender or the completion callback
 * finishes second sends the next message. The queue is bounded in bytes; a client that lets it fill up is closed
 * with 1013 (try again later). Thread-safe.
 */
final class PushSession {
    private static final Logger LOG = Logger.getLogger(PushSession.class.getName());

    /** Close reason for a client that cannot keep up with its messages. */
    static final CloseReason SLOW_CLIENT = new CloseReason(CloseReason.CloseCodes.TRY_AGAIN_LATER,
            "slow client: send queue full");

    final long id;
    final Session session;
    final Set<String> groups = ConcurrentHashMap.newKeySet();
    private final long queueLimitBytes;
    private final Consumer<PushSession> onSlow;
    private final ConcurrentLinkedQueue<String> queue = new ConcurrentLinkedQueue<>();
    private final AtomicLong queuedBytes = new AtomicLong();
    private final AtomicBoolean sending = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();

    PushSession(long id, Session session, long queueLimitBytes, Consumer<PushSession> onSlow) {
        this.id = id;
        this.session = session;
        this.queueLimitBytes = queueLimitBytes;
        this.onSlow = onSlow;
    }

    /** Queues a text message; never blocks. @return false when it was not queued (closed, or too slow) */
    boolean send(String text) {
        if (closed.get()) {
            return false;
        }
        long size = weight(text);
        if (queuedBytes.addAndGet(size) > queueLimitBytes) {
            queuedBytes.addAndGet(-size);
            if (closed.compareAndSet(false, true)) {
                LOG.info(() -> "connection " + id + " closed as a slow client: more than " + queueLimitBytes
                        + " bytes queued");
                onSlow.accept(this);
                closeQuietly(SLOW_CLIENT);
            }
            return false;
        }
        queue.add(text);
        if (sending.compareAndSet(false, true)) {
            pump();
        }
        return true;
    }

    private void pump() {
        while (true) {
            String next = queue.poll();
            if (next == null) {
                sending.set(false);
                if (queue.isEmpty() || !sending.compareAndSet(false, true)) {
                    return;
                }
                continue;
            }
            long size = weight(next);
            AtomicInteger handoff = new AtomicInteger();
            try {
                session.getAsyncRemote().sendText(next, result -> {
                    queuedBytes.addAndGet(-size);
                    if (!result.isOK()) {
                        failed(result.getException());
                    } else if (handoff.getAndIncrement() == 1) {
                        pump();
                    }
                });
            } catch (RuntimeException e) {
                failed(e);
                return;
            }
            if (handoff.getAndIncrement() == 0) {
                return;
            }
        }
    }

    private void failed(Throwable t) {
        // The socket is gone or broken: stop sending (sending stays true), let onClose clean up.
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

    /** Java memory of a queued string, roughly. */
    private static long weight(String text) {
        return 2L * text.length() + 32;
    }
}
