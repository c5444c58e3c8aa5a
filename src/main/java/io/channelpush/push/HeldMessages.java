package io.channelpush.push;

import io.channelpush.push.bus.StreamPosition;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Logger;

/**
 * The live messages one {@link Recovery} holds while it replays their streams' history, per stream and in
 * arrival order, so that none overtakes the replay: bounded by the session's queue bytes (beyond, the session is
 * closed with 1013 like a slow client). A stream's messages are released after its replay ({@link #release}) or
 * handed back to the session when the history is unavailable ({@link #carry}). Guarded by the session's stream lock:
 * every method is called with it held.
 */
final class HeldMessages {
    // the recovery's logger: the lines of one recover stay together
    private static final Logger LOG = Logger.getLogger(Recovery.class.getName());

    private record Held(StreamPosition position, OutboundMessage message) {
    }

    private final PushSession session;
    private final Set<String> recovering = new HashSet<>();
    private final Map<String, ArrayDeque<Held>> held = new HashMap<>();
    private long heldBytes;

    /** @param streams the streams whose live messages are held until each is released */
    HeldMessages(PushSession session, List<String> streams) {
        this.session = session;
        recovering.addAll(streams);
    }

    /** Whether live messages of {@code stream} are held. */
    boolean holds(String stream) {
        return recovering.contains(stream);
    }

    /** Holds a live message. @return false when it was dropped (and the session closed) */
    boolean hold(String stream, StreamPosition position, OutboundMessage m) {
        heldBytes += m.weight();
        if (heldBytes > session.queueLimitBytes()) {
            if (session.close(CloseCode.SLOW_CLIENT)) {
                LOG.fine(() -> "connection " + session.id + " closed: more than " + session.queueLimitBytes()
                        + " bytes of live messages held during its recover");
            }
            return false;
        }
        held.computeIfAbsent(stream, k -> new ArrayDeque<>()).add(new Held(position, m));
        return true;
    }

    /** The offset of the first message held for {@code stream} if it is of {@code epoch}, else {@code none}. */
    long firstOffset(String stream, String epoch, long none) {
        ArrayDeque<Held> h = held.get(stream);
        if (h != null && !h.isEmpty() && h.peekFirst().position().epoch().equals(epoch)) {
            return h.peekFirst().position().offset();
        }
        return none;
    }

    /**
     * Sends the messages held for {@code stream} that the replay did not (after offset {@code last}, or of another
     * epoch than {@code epoch}: past a gap the client is told about) and stops holding the stream.
     */
    void release(String stream, long last, String epoch) {
        ArrayDeque<Held> h = held.remove(stream);
        if (h != null) {
            for (Held m : h) {
                heldBytes -= m.message().weight();
                if (m.position().offset() > last || !m.position().epoch().equals(epoch)) {
                    session.send(m.message());
                }
            }
        }
        recovering.remove(stream);
    }

    /** Stops holding every stream; the messages held for {@code streams} are returned, in order, to be carried. */
    List<SessionStreams.Pending> carry(List<String> streams) {
        List<SessionStreams.Pending> carried = new ArrayList<>();
        for (String stream : streams) {
            ArrayDeque<Held> h = held.remove(stream);
            if (h != null) {
                for (Held m : h) {
                    heldBytes -= m.message().weight();
                    carried.add(SessionStreams.pending(stream, m.position(), m.message()));
                }
            }
        }
        recovering.clear();
        return carried;
    }
}
