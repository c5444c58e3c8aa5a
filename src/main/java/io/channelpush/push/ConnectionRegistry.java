package io.channelpush.push;

import jakarta.websocket.CloseReason;
import jakarta.websocket.Session;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * The node's open connections and the threads that serve them: ids (unique within the node), the sender pool
 * that drains sessions where the container has no I/O thread to offer, the timer of delayed drains, and the pinger
 * that keeps silent clients from lingering. {@link #close()} ends those threads. Thread-safe.
 */
final class ConnectionRegistry implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ConnectionRegistry.class.getName());

    private final PushConfig config;
    private final Consumer<PushSession> onSlow;
    private final Map<Long, PushSession> connections = new ConcurrentHashMap<>();
    private final AtomicLong nextId = new AtomicLong();
    private final ScheduledExecutorService pinger;
    /** Seconds the pinger has run; its thread only. */
    private long pingTicks;
    /** Runs delayed sweeps (the write delay); a thread apart from the pinger, which walks every session each second. */
    private final ScheduledExecutorService writeTimer;
    private final ExecutorService senders;
    private final FrameSenders frameSenders;
    private final ClientCloseLog closeLog = new ClientCloseLog();

    /**
     * @param onSlow told about each client closed for being too slow (for metrics)
     * @param threadDeaths told when one of its threads dies, or a task of its timers fails, with an uncaught
     *                     exception: the node no longer pings or writes as it should
     */
    ConnectionRegistry(PushConfig config, Consumer<PushSession> onSlow, Thread.UncaughtExceptionHandler threadDeaths) {
        this.config = config;
        this.onSlow = onSlow;
        this.pinger = new WatchedScheduler(r -> daemon(r, "channel-push-pinger-" + config.workerId(), threadDeaths),
                threadDeaths);
        AtomicInteger senderCount = new AtomicInteger();
        // Its queue holds at most one waiting task: the sessions it drains form one DrainGroup, which schedules
        // one sweep at a time.
        this.senders = Executors.newFixedThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors()),
                r -> daemon(r, "channel-push-sender-" + config.workerId() + "-" + senderCount.incrementAndGet(),
                        threadDeaths));
        this.writeTimer = new WatchedScheduler(
                r -> daemon(r, "channel-push-write-timer-" + config.workerId(), threadDeaths), threadDeaths);
        this.frameSenders = new FrameSenders(senders, writeTimer, config.writeDelayMillis());
        pinger.scheduleAtFixedRate(this::pingSome, 1, 1, TimeUnit.SECONDS);
    }

    private static Thread daemon(Runnable r, String name, Thread.UncaughtExceptionHandler threadDeaths) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.setUncaughtExceptionHandler(threadDeaths);
        return t;
    }

    /** Registers a new session under the next connection id. */
    PushSession register(Session session) {
        PushSession s = new PushSession(nextId.incrementAndGet(), session, frameSenders,
                config.sendQueueBytes(), config.maxCommandsPerSecond(), onSlow, closeLog);
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
     * Closes every session with {@code reason} and waits, at most {@code timeoutNanos}, until each has seen its
     * close frame (onClose removes it).
     *
     * @return how many sessions were open
     */
    int closeAll(CloseReason reason, long timeoutNanos) {
        int n = connections.size();
        for (PushSession s : new ArrayList<>(connections.values())) {
            s.closeQuietly(reason);
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

    /** Ends the pinger, the write timer and the sender threads, waiting at most 2 s for each. */
    @Override
    public void close() {
        pinger.shutdownNow();
        writeTimer.shutdownNow();
        senders.shutdownNow();
        try {
            pinger.awaitTermination(2, TimeUnit.SECONDS);
            writeTimer.awaitTermination(2, TimeUnit.SECONDS);
            senders.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
