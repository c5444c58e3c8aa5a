package io.channelpush.push;

import jakarta.websocket.Session;
import java.util.concurrent.Executor;
import java.util.logging.Logger;

/**
 * Chooses the thread that drains a session's queue. On Undertow (WildFly and the launcher) it is the session's own
 * I/O thread: the container then writes each frame inline instead of handing it to that thread, one cross-thread
 * wake-up fewer per delivery. Elsewhere it is the node's sender pool. Thread-safe.
 */
final class SessionExecutors {
    private static final Logger LOG = Logger.getLogger(SessionExecutors.class.getName());

    private final Executor fallback;
    private final boolean undertow;

    SessionExecutors(Executor fallback) {
        this.fallback = fallback;
        boolean found;
        try {
            Class.forName("io.undertow.websockets.jsr.UndertowSession", false, getClass().getClassLoader());
            found = true;
        } catch (ClassNotFoundException | LinkageError e) {
            found = false;
            LOG.fine("not on Undertow: sessions drain on the node's sender threads");
        }
        this.undertow = found;
    }

    Executor forSession(Session session) {
        if (undertow) {
            Executor io = UndertowIo.ioThread(session);
            if (io != null) {
                return io;
            }
        }
        return fallback;
    }

    /** Touches Undertow classes; loaded only when they are visible. */
    private static final class UndertowIo {
        static Executor ioThread(Session session) {
            return session instanceof io.undertow.websockets.jsr.UndertowSession u
                    ? u.getWebSocketChannel().getIoThread() : null;
        }
    }
}
