package io.channelpush.channel.client;

import java.util.List;

/**
 * A page of a stream's retained events ({@link ChannelClient#history}): the stream's current {@code epoch}, the
 * events after the position asked about, oldest first, whether they follow it without a gap ({@code complete}: false
 * when the epoch differs or events after it are beyond retention), and whether {@code more} follow the last one.
 * Immutable.
 */
public record History(String epoch, List<Event> events, boolean complete, boolean more) {
    public History {
        events = List.copyOf(events);
    }

    /** One retained event: its offset and its {@code data} as UTF-8 JSON. */
    public record Event(long offset, byte[] data) {
    }
}
