package io.channelpush.push;

import io.channelpush.push.bus.BusCodec;
import io.channelpush.push.bus.BusMessage;
import io.channelpush.push.bus.Channels;
import io.channelpush.push.bus.MalformedBusMessageException;

/**
 * What a {@link Recovery} replays of a history event: the bus channel of a wanted stream, and the content an event
 * carries for it (a broadcast's, a group message's of the wanted group, a push's to the wanted user; none for other
 * groups' or users' messages of the shared group and user streams, users' group changes, or payloads this version
 * cannot read). Stateless; thread-safe.
 */
final class HistoryContent {
    private HistoryContent() {
    }

    static String channel(Recovery.Want w) {
        return w.channel();
    }

    /** @return the content for {@code w}, or null when the event is not one of its stream's messages */
    static String of(Recovery.Want w, byte[] payload) {
        BusMessage m;
        try {
            m = BusCodec.decode(w.channel(), payload);
        } catch (MalformedBusMessageException ex) {
            return null;
        }
        if (m instanceof BusMessage.Reported r) {
            m = r.delivery();
        }
        return switch (w.channel()) {
            case Channels.BROADCAST -> m instanceof BusMessage.Broadcast b ? b.content() : null;
            case Channels.GROUPS -> m instanceof BusMessage.Group g && g.groupId().equals(w.id()) ? g.message() : null;
            case Channels.USERS -> m instanceof BusMessage.ToUser u && u.uid().equals(w.id()) ? u.content() : null;
            default -> null;
        };
    }
}
