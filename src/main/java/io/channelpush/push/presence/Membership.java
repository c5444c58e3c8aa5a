package io.channelpush.push.presence;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The nodes this node has heard from: worker id to the time of its last heartbeat. A node counts while its last
 * heartbeat is at most {@code timeoutNanos} old; one that dies or is cut off stops counting by itself, one that
 * stops cleanly says so and stops counting at once. Entries older than the timeout are dropped when the members are
 * listed, so the map holds at most the nodes heard within one timeout. Times are {@link System#nanoTime} values
 * passed in (tests give their own). Thread-safe.
 */
public final class Membership {
    private final ConcurrentHashMap<String, Long> lastHeard = new ConcurrentHashMap<>();
    private final long timeoutNanos;

    public Membership(long timeoutNanos) {
        this.timeoutNanos = timeoutNanos;
    }

    /** A heartbeat of {@code workerId} heard at {@code now}. */
    public void heard(String workerId, long now) {
        lastHeard.merge(workerId, now, Math::max);
    }

    /** {@code workerId} announced that it stops. */
    public void left(String workerId) {
        lastHeard.remove(workerId);
    }

    /** The live members at {@code now}, sorted by worker id. */
    public List<String> live(long now) {
        lastHeard.entrySet().removeIf(e -> now - e.getValue() > timeoutNanos);
        return lastHeard.keySet().stream().sorted().toList();
    }
}
