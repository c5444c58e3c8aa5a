package io.channelpush.channel.daemon;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

/**
 * Runs a stop action on SIGTERM or SIGINT before the JVM's shutdown hooks, so the action can still log (the JDK
 * resets java.util.logging in a shutdown hook of its own); {@link #awaitStop()} then gives {@code main} the exit
 * status, 128 + the signal number. Where the signal API is missing, a shutdown hook runs the action instead.
 * Used by the daemon's and the launcher's {@code main}. Thread-safe; the action runs at most once.
 */
public final class StopSignals {
    private static final Logger LOG = Logger.getLogger(StopSignals.class.getName());

    private final Runnable stop;
    private final AtomicBoolean ran = new AtomicBoolean();
    private final AtomicInteger exitStatus = new AtomicInteger();
    private final CountDownLatch stopped = new CountDownLatch(1);

    private StopSignals(Runnable stop) {
        this.stop = stop;
    }

    /** Installs the handlers for {@code stop}. */
    public static StopSignals install(Runnable stop) {
        StopSignals s = new StopSignals(stop);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> s.run(0), "stop-hook"));
        try {
            for (String name : new String[] {"TERM", "INT"}) {
                sun.misc.Signal.handle(new sun.misc.Signal(name), sig -> {
                    LOG.info(() -> "SIG" + sig.getName() + " received; stopping");
                    s.run(128 + sig.getNumber());
                });
            }
        } catch (IllegalArgumentException | LinkageError e) {
            LOG.fine(() -> "signal handlers unavailable (" + e + "); relying on the shutdown hook");
        }
        return s;
    }

    private void run(int status) {
        if (ran.compareAndSet(false, true)) {
            try {
                stop.run();
            } finally {
                exitStatus.set(status);
                stopped.countDown();
            }
        }
    }

    /** Blocks until a signal has stopped everything; returns the exit status for {@code System.exit}. */
    public int awaitStop() throws InterruptedException {
        stopped.await();
        return exitStatus.get();
    }
}
