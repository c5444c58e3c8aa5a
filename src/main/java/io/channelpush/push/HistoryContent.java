package io.channelpush.push;

import io.channelpush.push.bus.BusCodec;
import io.channelpush.push.bus.BusMessage;
import io.channelpush.push.bus.Channels;
import io.channelpush.push.bus.MalformedBusMessageException;

/**
 * What a {@link Recovery} replays of a history event: the bus channel of a wanted stream, and the content an event
 * carries for it (a broadcast's, or a group message's of the wanted group; none for other groups' messages of the
 * shared group stream, other kinds, or payloads this version cannot read). Stateless; thread-safe.
 */
final class HistoryContent {
    private HistoryContent() {
    }

    static String channel(Recovery.Want w) {
        return w.group() == null ? Channels.BROADCAST : Channels.GROUPS;
    }

    /** @return the content for {@code w}, or null when the event is not one of its stream's messages */
    static String of(Recovery.Want w, byte[] payload) {
        BusMessage m;
        try {
            m = BusCodec.decode(channel(w), payload);
        } catch (MalformedBusMessageException ex) {
            return null;
        }
        if (m instanceof BusMessage.Reported r) {
            m = r.delivery();
        }
        if (w.group() == null) {
            return m instanceof BusMessage.Broadcast b ? b.content() : null;
        }
        return m instanceof BusMessage.Group g && g.groupId().equals(w.group()) ? g.message() : null;
    }
}
