package io.channelpush.push;

import jakarta.websocket.Session;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * The node's open connections: ids (unique within the node), lookup, the ping round, and closing them all. The
 * threads that serve them belong to its {@link DeliveryThreads}, which {@link #close()} ends. Thread-safe.
 */
final class ConnectionRegistry implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ConnectionRegistry.class.getName());

    private final PushConfig config;
    /** Shared by every session of the node. */
    private final SessionLimits limits;
    private final Map<Long, PushSession> connections = new ConcurrentHashMap<>();
    private final AtomicLong nextId = new AtomicLong();
    /** Seconds the pinger has run; its thread only. */
    private long pingTicks;
    private final DeliveryThreads threads;
    private final FrameSenders frameSenders;

    /**
     * @param onSlow told about each client closed for being too slow (for metrics)
     * @param threadDeaths told when one of its threads dies, or a task of its timers fails, with an uncaught
     *                     exception: the node no longer pings or writes as it should
     */
    ConnectionRegistry(PushConfig config, Consumer<PushSession> onSlow, Thread.UncaughtExceptionHandler threadDeaths) {
        this.config = config;
        this.limits = new SessionLimits(config.sendQueueBytes(), config.maxCommandsPerSecond(), onSlow,
                new ClientCloseLog());
        this.threads = new DeliveryThreads(config.workerId(), threadDeaths);
        this.frameSenders = new FrameSenders(threads.senders(), threads.writeTimer(), config.writeDelayMillis(),
                TimeUnit.SECONDS.toMillis(config.pingIntervalSeconds()));
        threads.everySecond(this::pingSome);
    }

    /** Registers a new session under the next connection id. */
    PushSession register(Session session) {
        return register(session, s -> { });
    }

    /** Registers a connection after {@code prepare} set it up (its format): no delivery sees it unprepared. */
    PushSession register(Session session, java.util.function.Consumer<PushSession> prepare) {
        PushSession s = new PushSession(nextId.incrementAndGet(), l -> frameSenders.forSession(session, l),
                frameSenders::group, limits);
        prepare.accept(s);
        connections.put(s.id, s);
        return s;
    }

    void remove(PushSession s) {
        connections.remove(s.id);
        synchronized (connections) {
            connections.notifyAll();
        }
    }

    PushSession get(long id) {
        return connections.get(id);
    }

    /** A live view; iterate, do not keep. */
    Collection<PushSession> all() {
        return connections.values();
    }

    int size() {
        return connections.size();
    }

    /** A counter read: an emptied map still walks its whole table when iterated. */
    boolean isEmpty() {
        return connections.isEmpty();
    }

    /**
     * Each second pings the sessions of one second's slot (connection id modulo the interval), so that every
     * session is pinged once per interval but 50,000 clients are not pinged, and do not all answer, in the same
     * instant: a ping round of every session at once costs about 20 us per client on a small node and delays the
     * broadcasts of that moment by as much. Runs on the pinger thread only.
     */
    private void pingSome() {
        int interval = config.pingIntervalSeconds();
        long slot = pingTicks++ % interval;
        long timeout = TimeUnit.SECONDS.toNanos(2L * interval);
        for (PushSession s : connections.values()) {
            if (s.id % interval == slot) {
                s.pingOrExpire(timeout);
            }
        }
    }

    /**
     * Closes every session with {@code code} and waits, at most {@code timeoutNanos}, until each has seen its
     * close frame (onClose removes it).
     *
     * @return how many sessions were open
     */
    int closeAll(CloseCode code, long timeoutNanos) {
        int n = connections.size();
        for (PushSession s : new ArrayList<>(connections.values())) {
            s.close(code);
        }
        long deadline = System.nanoTime() + timeoutNanos;
        synchronized (connections) {
            while (!connections.isEmpty()) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    LOG.warning(() -> connections.size() + " connections did not finish closing; stopping anyway");
                    break;
                }
                try {
                    connections.wait(Math.min(left, 100));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        return n;
    }

    /** Ends the {@link DeliveryThreads}, waiting at most 2 s for each. Idempotent. */
    @Override
    public void close() {
        threads.close();
    }
}
