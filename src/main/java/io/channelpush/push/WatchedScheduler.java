package io.channelpush.push;

import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;

/**
 * A one-thread scheduler whose failed tasks are reported, not kept: a {@link ScheduledThreadPoolExecutor} stores a
 * task's exception in its future, and a periodic task that throws is silently never run again, so a pinger that
 * failed once would leave the node without pings forever. Here the exception goes to {@code threadDeaths} as if
 * the thread had died of it. Thread-safe.
 */
final class WatchedScheduler extends ScheduledThreadPoolExecutor {
    private final Thread.UncaughtExceptionHandler threadDeaths;

    WatchedScheduler(ThreadFactory threads, Thread.UncaughtExceptionHandler threadDeaths) {
        super(1, threads);
        this.threadDeaths = threadDeaths;
    }

    @Override
    protected void afterExecute(Runnable r, Throwable t) {
        super.afterExecute(r, t);
        // A periodic task's future is done only when it failed or was cancelled; a one-shot one when it ran.
        if (t == null && r instanceof Future<?> f && f.isDone()) {
            try {
                f.get();
            } catch (CancellationException e) {
                return;
            } catch (ExecutionException e) {
                t = e.getCause();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (t != null) {
            threadDeaths.uncaughtException(Thread.currentThread(), t);
        }
    }
}
