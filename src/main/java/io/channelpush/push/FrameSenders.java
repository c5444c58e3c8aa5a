package io.channelpush.push;

import jakarta.websocket.Session;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.logging.Logger;

/**
 * Picks each session's {@link FrameSender}: on Undertow (WildFly and the launcher) {@link UndertowFrameSender},
 * elsewhere {@link JakartaFrameSender} draining on the node's sender threads; and keeps one {@link DrainGroup}
 * per drain thread and, on Undertow, one {@link IoScratch} per I/O thread. Thread-safe.
 */
final class FrameSenders {
    private static final Logger LOG = Logger.getLogger(FrameSenders.class.getName());

    private final Executor fallback;
    private final boolean undertow;
    private final ScheduledExecutorService timer;
    private final int writeDelayMillis;
    private final long closeDeadlineMillis;
    private final Map<Executor, DrainGroup> groups = new ConcurrentHashMap<>();
    private final Map<Thread, IoScratch> scratches = new ConcurrentHashMap<>();

    /**
     * @param fallback the threads that drain sessions where the container has no I/O thread to offer
     * @param timer delays drains by {@code writeDelayMillis} when that is positive
     * @param closeDeadlineMillis how long a connection this node closes may stay open on Undertow (its close frame
     *                            not written, or not answered) before it is cut
     */
    FrameSenders(Executor fallback, ScheduledExecutorService timer, int writeDelayMillis, long closeDeadlineMillis) {
        this.fallback = fallback;
        this.timer = timer;
        this.writeDelayMillis = writeDelayMillis;
        this.closeDeadlineMillis = closeDeadlineMillis;
        boolean found;
        try {
            Class.forName("io.undertow.websockets.jsr.UndertowSession", false, getClass().getClassLoader());
            found = UndertowFrameSender.available();
            if (!found) {
                LOG.warning("this Undertow's framed channel has no field 'channel' (a StreamConnection): frames go"
                        + " through the standard Jakarta WebSocket API, with more CPU and garbage per delivery;"
                        + " use the Undertow version this release was built with");
            }
        } catch (ClassNotFoundException | LinkageError e) {
            found = false;
            LOG.fine("not on Undertow: sessions drain on the node's sender threads");
        }
        this.undertow = found;
    }

    FrameSender forSession(Session session, FrameSender.Listener listener) {
        if (undertow) {
            // UndertowFrameSender is loaded only here, where Undertow's classes are known to be visible
            FrameSender s = UndertowFrameSender.of(session, listener, closeDeadlineMillis,
                    t -> scratches.computeIfAbsent(t, owner -> new IoScratch(owner, IoScratch.CAPACITY)));
            if (s != null) {
                return s;
            }
        }
        return new JakartaFrameSender(session, fallback, listener);
    }

    /** The drain group of the sessions whose sender runs on {@code executor}; one per I/O thread. */
    DrainGroup group(Executor executor) {
        return groups.computeIfAbsent(executor, e -> new DrainGroup(e, timer, writeDelayMillis));
    }
}
