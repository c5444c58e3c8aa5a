package io.channelpush.channel.daemon;

/**
 * The daemon's one count of retained bytes against {@link DaemonConfig#memoryLimitBytes()}: frame bodies being
 * received, queue items (held ones included), every connection's outbound frames and the warm-up replay.
 * Requests that add data ask {@link #tryReserve}; small replies to a client's own requests use {@link #force}
 * (bounded per connection, see {@link EventLoop#send}). Confined to the event-loop thread.
 */
final class MemoryBudget {
    private final long limit;
    private long used;
    private long peak;

    MemoryBudget(long limit) {
        this.limit = limit;
    }

    /** Reserves {@code n} bytes if they fit under the limit. */
    boolean tryReserve(long n) {
        if (used + n > limit) {
            return false;
        }
        force(n);
        return true;
    }

    boolean fits(long n) {
        return used + n <= limit;
    }

    /** Counts {@code n} bytes whether or not they fit. */
    void force(long n) {
        used += n;
        if (used > peak) {
            peak = used;
        }
    }

    void release(long n) {
        used -= n;
    }

    long used() {
        return used;
    }

    long peak() {
        return peak;
    }

    long limit() {
        return limit;
    }
}
