package io.channelpush.push;

import io.channelpush.channel.log.RateLimitedLog;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Where a publish runs, decided once per node from the bus: when the bus never waits (the channel daemon's client
 * buffers and refuses when full) a publish runs on the thread that received it, an I/O thread included; when it
 * may wait (NATS blocks a publisher while its outgoing buffer is full) nothing that publishes may run on an I/O
 * thread. The WebSocket commands ({@link ClientCommands})
 * ask {@link #busMayWait()} (the HTTP publisher no longer needs to: all its publishes wait for the bus's
 * acknowledgement without blocking); the WebSocket commands go through {@link #run}, to this node's one publish thread, in arrival order,
 * at most {@link #QUEUE_BOUND} waiting (beyond that the command is refused and the client told to retry).
 * Thread-safe; {@link #close()} is idempotent and waits at most 2 s.
 */
public final class PublishDispatch implements AutoCloseable {
    /** Most commands waiting for the publish thread at once. */
    static final int QUEUE_BOUND = 1024;
    private static final Logger LOG = Logger.getLogger(PublishDispatch.class.getName());

    private final boolean busMayWait;
    private final ThreadPoolExecutor thread;
    private final RateLimitedLog failures = new RateLimitedLog(LOG, Level.WARNING);

    /**
     * @param busMayWait whether a publish on this node's bus may block its caller
     * @param threadDeaths told when the publish thread dies of an error
     */
    PublishDispatch(boolean busMayWait, String workerId, Thread.UncaughtExceptionHandler threadDeaths) {
        this.busMayWait = busMayWait;
        if (!busMayWait) {
            this.thread = null;
            return;
        }
        this.thread = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(QUEUE_BOUND),
                r -> {
                    Thread t = new Thread(r, "channel-push-publish-" + workerId);
                    t.setDaemon(true);
                    t.setUncaughtExceptionHandler(threadDeaths);
                    return t;
                });
    }

    /** True when a publish may block its caller: never publish from an I/O thread then. */
    public boolean busMayWait() {
        return busMayWait;
    }

    /**
     * Runs {@code task} now when the bus never waits, else queues it for the publish thread.
     *
     * @return false when the publish thread's queue is full or the node is closing: {@code task} will not run
     */
    boolean run(Runnable task) {
        if (thread == null) {
            task.run();
            return true;
        }
        try {
            thread.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    // as on an I/O thread, where the container reports it to the endpoint's onError: one command lost
                    failures.log(() -> "a client command failed on the publish thread: " + e);
                }
            });
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    @Override
    public void close() {
        if (thread == null || thread.isShutdown()) {
            return;
        }
        thread.shutdown();
        try {
            if (!thread.awaitTermination(2, TimeUnit.SECONDS)) {
                thread.shutdownNow();
            }
        } catch (InterruptedException e) {
            thread.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
