package io.channelpush.channel.daemon;

/**
 * The daemon's one count of retained bytes against {@link DaemonConfig#memoryLimitBytes()}: frame bodies being
 * received, queue items (held ones included), every connection's outbound frames and the warm-up replay.
 *
 * <p>Shares keep one kind of hoarding from starving publish/subscribe traffic: queue items may use at most half
 * of the bound, and frame bodies above {@link #SMALL_FRAME_BYTES} being received at most a quarter, so that at
 * least a quarter is always left for small frames and the events fanned out to subscribers. Requests that add data
 * ask {@code tryReserve...}; small replies to a client's own requests use {@link #force} (bounded per connection,
 * see {@link Connections#send}). Confined to the event-loop thread.
 */
final class MemoryBudget {
    /** Frame bodies up to this size are received against the whole bound, larger ones against their share. */
    static final int SMALL_FRAME_BYTES = 64 * 1024;

    private final long limit;
    private long used;
    private long peak;
    private long queued;
    private long largeInbound;

    MemoryBudget(long limit) {
        this.limit = limit;
    }

    /** Reserves {@code n} bytes if they fit under the limit. */
    boolean tryReserve(long n) {
        if (!fits(n)) {
            return false;
        }
        force(n);
        return true;
    }

    /** Reserves a queue item's bytes if they fit the queues' share and the limit. */
    boolean tryReserveQueued(long n) {
        if (queued + n > limit / 2 || !tryReserve(n)) {
            return false;
        }
        queued += n;
        return true;
    }

    /** Whether a queue item of about {@code n} bytes could be reserved now (checked before it is built). */
    boolean queuedFits(long n) {
        return queued + n <= limit / 2 && fits(n);
    }

    void releaseQueued(long n) {
        queued -= n;
        release(n);
    }

    /** Admission of a frame body about to be received. */
    boolean tryReserveInbound(int n) {
        if (n <= SMALL_FRAME_BYTES) {
            return tryReserve(n);
        }
        if (largeInbound + n > limit / 4 || !tryReserve(n)) {
            return false;
        }
        largeInbound += n;
        return true;
    }

    /** A received body (complete or abandoned) is no longer held. */
    void releaseInbound(int n) {
        if (n > SMALL_FRAME_BYTES) {
            largeInbound -= n;
        }
        release(n);
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
