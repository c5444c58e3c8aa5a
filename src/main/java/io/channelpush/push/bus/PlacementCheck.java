package io.channelpush.push.bus;

import java.util.function.Predicate;

/**
 * Which consumers' messages a {@link NatsStreamReader} hands on: the one checked already, or a new one that is on
 * the stream's leader ({@link NatsPlacement}). A new consumer elsewhere is refused (the reader drops it and creates
 * another after the last message delivered), at most {@link NatsPlacement#TRIES} times at the same offset; then the
 * next one is taken wherever it is, so that a leader that cannot be told does not stop delivery. Not thread-safe:
 * used on the dispatcher thread only.
 */
final class PlacementCheck {
    private final Predicate<String> onLeader;
    private String placed;
    private long refusedAt = -1;
    private int refusals;

    /** @param onLeader whether the named consumer is on the stream's leader (false when it cannot be told) */
    PlacementCheck(Predicate<String> onLeader) {
        this.onLeader = onLeader;
    }

    /**
     * @param consumer the consumer that delivered a message (null: unknown, taken)
     * @param after the last offset delivered
     * @return whether its messages may be handed on; false: drop the consumer and create another
     */
    boolean accepts(String consumer, long after) {
        if (consumer == null || consumer.equals(placed)) {
            return true;
        }
        if (refusedAt != after) {
            refusedAt = after;
            refusals = 0;
        }
        if (refusals < NatsPlacement.TRIES && !onLeader.test(consumer)) {
            refusals++;
            return false;
        }
        placed = consumer;
        return true;
    }
}
