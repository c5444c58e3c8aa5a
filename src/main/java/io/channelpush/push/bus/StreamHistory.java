package io.channelpush.push.bus;

import java.util.List;

/**
 * What the bus holds of a stream after a position ({@link MessageBus#history}): the stream's current {@code epoch},
 * its messages after that position in order ({@code events}, at most the limit asked for), whether they follow the
 * position without a gap ({@code complete}: false when the epoch differs from the one asked about or messages after
 * the position are beyond retention; the reader must then resync), and whether there is {@code more} after the last
 * event (ask again from it). Immutable.
 */
public record StreamHistory(String epoch, List<StreamEvent> events, boolean complete, boolean more) {
    public StreamHistory {
        events = List.copyOf(events);
    }
}
