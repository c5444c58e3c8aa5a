package io.channelpush.push;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads a node's deliveries run on, besides the container's: the sender pool (drains sessions where the
 * container has no I/O thread to offer), the write timer (delayed drains, {@code channelpush.write-delay-ms}) and
 * the pinger. All are daemon threads named {@code channel-push-<role>-<worker id>}; a thread that dies, or a timer
 * task that fails, goes to {@code threadDeaths} (the node's {@link FatalErrors}) through {@link WatchedScheduler}.
 * {@link #close()} stops them, idempotently, waiting at most 2 s for each. Thread-safe.
 */
final class DeliveryThreads implements AutoCloseable {
    private static final long JOIN_SECONDS = 2;

    private final ExecutorService senders;
    private final ScheduledExecutorService writeTimer;
    private final ScheduledExecutorService pinger;
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * @param threadDeaths told when one of these threads dies, or a task of the timers fails, with an uncaught
     *                     exception: the node no longer pings or writes as it should
     */
    DeliveryThreads(String workerId, Thread.UncaughtExceptionHandler threadDeaths) {
        AtomicInteger senderCount = new AtomicInteger();
        // Its queue holds at most one waiting task per DrainGroup, which schedules one sweep at a time.
        this.senders = Executors.newFixedThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors()),
                r -> daemon(r, "channel-push-sender-" + workerId + "-" + senderCount.incrementAndGet(),
                        threadDeaths));
        // A thread apart from the pinger, which walks every session each second.
        this.writeTimer = new WatchedScheduler(
                r -> daemon(r, "channel-push-write-timer-" + workerId, threadDeaths), threadDeaths);
        this.pinger = new WatchedScheduler(r -> daemon(r, "channel-push-pinger-" + workerId, threadDeaths),
                threadDeaths);
    }

    private static Thread daemon(Runnable r, String name, Thread.UncaughtExceptionHandler threadDeaths) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.setUncaughtExceptionHandler(threadDeaths);
        return t;
    }

    /** The pool that drains sessions whose container offers no I/O thread. */
    ExecutorService senders() {
        return senders;
    }

    /** Delays drains by the write delay. */
    ScheduledExecutorService writeTimer() {
        return writeTimer;
    }

    /** Runs {@code task} on the pinger thread once a second from a second from now. */
    void everySecond(Runnable task) {
        pinger.scheduleAtFixedRate(task, 1, 1, TimeUnit.SECONDS);
    }

    /** Stops the pinger, the write timer and the sender threads, waiting at most 2 s for each. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        pinger.shutdownNow();
        writeTimer.shutdownNow();
        senders.shutdownNow();
        try {
            pinger.awaitTermination(JOIN_SECONDS, TimeUnit.SECONDS);
            writeTimer.awaitTermination(JOIN_SECONDS, TimeUnit.SECONDS);
            senders.awaitTermination(JOIN_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
