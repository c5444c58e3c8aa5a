package io.channelpush.push.bus;

/**
 * The watchdog's memory of one stream consumer ({@link NatsStreamReader#stuck}): a consumer is stuck when two checks
 * in a row find the stream holding messages after the last one delivered and the consumer delivered nothing in
 * between. One check alone is not enough: a consumer just created, or one whose messages wait in the dispatcher,
 * is behind for a moment. Not thread-safe: its reader guards it.
 */
final class ConsumerProgress {
    /** The last sequence delivered when the previous check found the consumer behind, or -1. */
    private long behindAt = -1;

    /**
     * One check.
     *
     * @param last the last sequence the consumer delivered
     * @param streamLast the stream's last sequence (as its leader answers)
     * @return true when the consumer is stuck: the caller creates a new one (and the next check starts afresh)
     */
    boolean stuck(long last, long streamLast) {
        if (streamLast <= last) {
            behindAt = -1;
            return false;
        }
        if (behindAt != last) {
            behindAt = last;
            return false;
        }
        behindAt = -1;
        return true;
    }

    /** Forgets the previous check (a new consumer, or one that cannot be compared). */
    void reset() {
        behindAt = -1;
    }
}
