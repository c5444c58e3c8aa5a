package io.channelpush.push.bus;

import java.time.Duration;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The deadlines of acknowledged publishes awaiting their answer, swept every {@link #SWEEP} on one thread of the
 * executor given, instead of one scheduled timer per publish (a timer each cost a lock, a heap insertion and,
 * since a cancelled timer stays queued until it would have run, a wake-up of the timer thread per publish about
 * the timeout later: a few percent of a node's CPU at 25,000 publishes/s). Publishes of the same timeout are kept
 * in arrival order, so a sweep looks only at the oldest ones: it drops those answered and fails those expired, and
 * stops at the first still in time. A publish is failed at most {@link #SWEEP} (plus the executor's delay) after
 * its timeout: with {@link PublishOutcomeUnknownException} when it was {@code sent}, else with
 * {@link BusUnavailableException} (certainly not taken; the caller does not send it after that).
 *
 * <p>Thread-safe: {@link #add} from any thread; the sweep runs on the executor's thread.
 */
final class PublishDeadlines {
    static final Duration SWEEP = Duration.ofMillis(50);

    /** One publish awaiting its answer. */
    private record Deadline(CompletableFuture<StreamPosition> result, AtomicBoolean sent, long atNanos,
                            long timeoutMillis) {
    }

    // by timeout in nanoseconds: a node uses one or two timeouts (its setting), so this map stays tiny
    private final Map<Long, Queue<Deadline>> byTimeout = new ConcurrentHashMap<>();
    private final ScheduledExecutorService exec;
    private final AtomicBoolean started = new AtomicBoolean();

    PublishDeadlines(ScheduledExecutorService exec) {
        this.exec = exec;
    }

    /**
     * Fails {@code result} about {@code timeout} from now unless it completed before.
     *
     * @param sent set once the publish may have been written: its timeout then says "fate unknown"
     * @return false when the executor is shut down (the bus is closing): nothing will fail {@code result}
     */
    boolean add(CompletableFuture<StreamPosition> result, AtomicBoolean sent, Duration timeout) {
        if (!started.get() && !start()) {
            return false;
        }
        long nanos = timeout.toNanos();
        byTimeout.computeIfAbsent(nanos, k -> new ConcurrentLinkedQueue<>())
                .add(new Deadline(result, sent, System.nanoTime() + nanos, timeout.toMillis()));
        return !exec.isShutdown();
    }

    private boolean start() {
        try {
            if (started.compareAndSet(false, true)) {
                exec.scheduleWithFixedDelay(this::sweep, SWEEP.toMillis(), SWEEP.toMillis(), TimeUnit.MILLISECONDS);
            }
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    void sweep() {
        long now = System.nanoTime();
        for (Queue<Deadline> q : byTimeout.values()) {
            for (Deadline d; (d = q.peek()) != null; ) {
                if (!d.result.isDone()) {
                    if (now - d.atNanos < 0) {
                        break; // the rest of this queue came later: in time too
                    }
                    d.result.completeExceptionally(d.sent.get()
                            ? new PublishOutcomeUnknownException("no acknowledgement from NATS within "
                                    + d.timeoutMillis + " ms")
                            : new BusUnavailableException("NATS JetStream stream not ready within "
                                    + d.timeoutMillis + " ms"));
                }
                q.poll();
            }
        }
    }
}
