package io.channelpush.push;

import java.util.logging.Logger;

/**
 * Where a node reports an error it cannot recover from: an {@link Error} such as {@link OutOfMemoryError}, or the
 * death of a thread it depends on (its pinger, write timer and sender threads, its channel client's threads).
 * The node has already marked itself dead ({@link NodeHealth#live()} is false, so {@code /health/live} and
 * {@code /health/ready} answer 503) when this is called. Two implementations: {@link #MARK_DEAD} (the WAR, inside a
 * container that must not be halted: the orchestrator restarts on the failed liveness probe) and the launcher's,
 * which halts the process so that its supervisor restarts it. Implementations are thread-safe; called at most once
 * per node.
 */
public interface FatalErrors {
    /** Servlet context attribute holding the deployment's sink; absent means {@link #MARK_DEAD}. */
    String ATTRIBUTE = FatalErrors.class.getName();

    /** Logs one SEVERE line telling the operator to restart; the node stays dead. */
    FatalErrors MARK_DEAD = (workerId, what, error) -> Logger.getLogger(FatalErrors.class.getName()).severe(() ->
            "Channel Push worker " + workerId + " is dead: " + what + ": " + error + "; /health/live answers 503: "
                    + "restart the server (or redeploy channel-push.war)");

    /**
     * @param workerId the node's worker id
     * @param what what failed, e.g. {@code thread channel-push-pinger-w1 died}
     * @param error the error
     */
    void fatal(String workerId, String what, Throwable error);
}
