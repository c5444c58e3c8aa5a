package io.channelpush.push;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The node's {@code channelpush.max-connections}, counted so that a burst cannot overshoot it: a handshake takes a
 * slot in one atomic step ({@link #reserve}) before the container upgrades it, the connection keeps it from
 * {@link #claim} (in onOpen) until {@link #release} (in onClose). A reservation whose handshake the container then
 * refused is given back ({@link #cancel}); one whose connection never opened (the client left between the 101 and
 * onOpen) expires ({@link #expire}). Slots in use = open connections + reservations not yet claimed, never more than
 * the limit. Thread-safe.
 */
final class ConnectionSlots {
    private final int limit;
    private final AtomicInteger used = new AtomicInteger();
    /** When each unclaimed reservation was made (System.nanoTime), oldest first. */
    private final ConcurrentLinkedQueue<Long> reservations = new ConcurrentLinkedQueue<>();

    ConnectionSlots(int limit) {
        this.limit = limit;
    }

    /** How long a reservation waits for its connection to open before it is given back. */
    static final long RESERVATION_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(10);

    /** Takes a slot for a handshake. @return false when all are in use */
    boolean reserve() {
        if (!take()) {
            expire(RESERVATION_NANOS); // stale reservations matter only when they would refuse someone
            if (!take()) {
                return false;
            }
        }
        reservations.add(System.nanoTime());
        return true;
    }

    /** Gives back a reservation whose handshake did not become a connection. */
    void cancel() {
        if (reservations.poll() != null) {
            used.decrementAndGet();
        }
    }

    /**
     * A connection opened: it takes a reservation over (any one; they are all alike), or, where no handshake
     * reserved one (a container that upgraded before the filter ran, or an expired reservation), a free slot.
     *
     * @return false when there was neither: the connection must be closed
     */
    boolean claim() {
        return reservations.poll() != null || take();
    }

    /** A connection that claimed a slot has closed. */
    void release() {
        used.decrementAndGet();
    }

    /** Gives back the reservations older than {@code maxAgeNanos} that no connection claimed. */
    void expire(long maxAgeNanos) {
        long now = System.nanoTime();
        Long t;
        while ((t = reservations.peek()) != null && now - t > maxAgeNanos) {
            if (reservations.remove(t)) {
                used.decrementAndGet();
            }
        }
    }

    /** Slots in use: open connections plus unclaimed reservations. */
    int used() {
        return used.get();
    }

    private boolean take() {
        while (true) {
            int n = used.get();
            if (n >= limit) {
                return false;
            }
            if (used.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }
}
