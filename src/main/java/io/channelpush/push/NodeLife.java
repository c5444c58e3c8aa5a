package io.channelpush.push;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

/**
 * A node's life: it accepts clients until it stops accepting ({@link #stopAccepting}, before a shutdown), stops
 * ({@link #stop}, once) or dies of an error it cannot recover from ({@link #fatal}: told to the {@link FatalErrors}
 * sink once; while stopping only logged). Liveness and readiness read it. Thread-safe.
 */
final class NodeLife {
    // the node's logger: operators filter on it, and the node's lines stay together
    private static final Logger LOG = Logger.getLogger(PushNode.class.getName());

    private final String workerId;
    private final FatalErrors fatalErrors;
    private final AtomicBoolean stopped = new AtomicBoolean();
    private final AtomicBoolean dead = new AtomicBoolean();
    private volatile boolean accepting = true;
    private volatile String deathReason;

    NodeLife(String workerId, FatalErrors fatalErrors) {
        this.workerId = workerId;
        this.fatalErrors = fatalErrors;
    }

    /** See {@link NodeHealth#accepting}. */
    boolean accepting() {
        return accepting && !stopped.get() && !dead.get();
    }

    /** See {@link NodeHealth#live}. */
    boolean live() {
        return !dead.get();
    }

    /** See {@link NodeHealth#deathReason}. */
    String deathReason() {
        return deathReason;
    }

    /** Whether {@link #stop} ran. */
    boolean stopping() {
        return stopped.get();
    }

    void stopAccepting() {
        accepting = false;
    }

    /** @return true the first time only: the caller then stops the node */
    boolean stop() {
        if (!stopped.compareAndSet(false, true)) {
            return false;
        }
        accepting = false;
        return true;
    }

    /** Marks the node dead (liveness and readiness 503) and tells the sink, once; ignored while stopping. */
    void fatal(String what, Throwable error) {
        if (stopped.get()) {
            // While stopping, a timer task may find the sender pool already shut down: the node is going anyway.
            LOG.fine(() -> "worker " + workerId + " stopping: " + what + ": " + error);
            return;
        }
        if (!dead.compareAndSet(false, true)) {
            return;
        }
        deathReason = what + ": " + error;
        accepting = false;
        fatalErrors.fatal(workerId, what, error);
    }
}
