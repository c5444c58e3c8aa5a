package io.channelpush.push;

import com.google.gson.JsonElement;
import io.channelpush.push.bus.MessageBus;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;

/**
 * The node's {@code recover} commands: at most {@code channelpush.max-history-requests} run at once (each has at
 * most one history request in flight to the bus); the others wait their turn in arrival order (at most one per
 * connection, so the wait is bounded by the node's connections; their live messages keep flowing meanwhile), each
 * replaying at most {@code channelpush.max-recover-messages}. Thread-safe.
 */
final class Recoveries {
    /** {@code recover} commands one connection may send per minute. */
    static final int PER_CONNECTION_PER_MINUTE = 6;

    private final MessageBus bus;
    private final PushMetrics metrics;
    private final int maxMessages;
    private final Semaphore running;
    private final Queue<Runnable> waiting = new ConcurrentLinkedQueue<>();
    /** Set while this thread starts waiting recoveries: one that ends meanwhile does not start another nested. */
    private final ThreadLocal<Boolean> starting = ThreadLocal.withInitial(() -> false);
    /** How long failing history requests are retried ({@link HistoryRetry#HISTORY_RETRY_MILLIS}; shorter in tests). */
    volatile long historyRetryMillis = HistoryRetry.HISTORY_RETRY_MILLIS;

    Recoveries(MessageBus bus, PushMetrics metrics, int maxMessages, int maxRunning) {
        this.bus = bus;
        this.metrics = metrics;
        this.maxMessages = maxMessages;
        this.running = new Semaphore(maxRunning);
    }

    /**
     * Queues a recover of {@code wants} for {@code s}; when its turn comes (at once when fewer than the bound run)
     * it marks the streams recovering on the session, runs {@code beforeReplay} (joining the groups: after the
     * mark, so that no live message falls between them), and starts the replay.
     *
     * @return false when this connection has a recover running or waiting already (nothing changed then)
     */
    boolean start(PushSession s, List<Recovery.Want> wants, JsonElement id, Runnable beforeReplay) {
        if (!s.streams().reserve()) {
            return false;
        }
        waiting.add(() -> {
            Recovery r = new Recovery(s, this, wants, id);
            if (s.isClosed() || !r.mark()) {
                r.abandon();
                return;
            }
            beforeReplay.run();
            r.run();
        });
        startWaiting();
        return true;
    }

    /** Starts waiting recoveries while fewer than the bound run; on this thread, one loop however many end inline. */
    private void startWaiting() {
        if (starting.get()) {
            return;
        }
        starting.set(true);
        try {
            while (!waiting.isEmpty() && running.tryAcquire()) {
                Runnable next = waiting.poll();
                if (next == null) {
                    running.release();
                } else {
                    next.run();
                }
            }
        } finally {
            starting.set(false);
        }
    }

    /** Recovers waiting for their turn now. */
    int waiting() {
        return waiting.size();
    }

    MessageBus bus() {
        return bus;
    }

    PushMetrics metrics() {
        return metrics;
    }

    int maxMessages() {
        return maxMessages;
    }

    /** A recovery ended (done or abandoned): its place goes to the next waiting one. */
    void release() {
        running.release();
        startWaiting();
    }
}
