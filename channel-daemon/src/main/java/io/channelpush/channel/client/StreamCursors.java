package io.channelpush.channel.client;

import io.channelpush.channel.log.RateLimitedLog;
import io.channelpush.channel.protocol.Messages;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The stream channels a {@link ChannelClient} reads ({@link ChannelClient#onStream}), each with the position of the
 * last event handed to its handler: the {@code from} of the subscribe after a reconnect, and the filter that drops an
 * event at or before that position (so a handler never sees one twice). Handlers may be added from any thread;
 * everything else runs on the client's reader thread.
 */
final class StreamCursors {
    private static final Logger LOG = Logger.getLogger(StreamCursors.class.getName());

    private static final class Cursor {
        final StreamHandler handler;
        /**
         * Epoch of the last event handed on (or of the head the daemon answered the subscribe with), or null before
         * either. Written by the reader thread only.
         */
        volatile String epoch;
        volatile long last;

        Cursor(StreamHandler handler) {
            this.handler = handler;
        }
    }

    private final Map<String, Cursor> cursors = new ConcurrentHashMap<>();
    /** A gap follows a daemon restart on a new data folder for every stream at once: one line a second is plenty. */
    private final RateLimitedLog gapLog = new RateLimitedLog(LOG, Level.WARNING);

    /** @return true when the channel is new (a subscribe must be sent) */
    boolean add(String channel, StreamHandler handler) {
        return cursors.put(channel, new Cursor(handler)) == null;
    }

    /** @return true when the channel was a stream of this client */
    boolean remove(String channel) {
        return cursors.remove(channel) != null;
    }

    boolean has(String channel) {
        return cursors.containsKey(channel);
    }

    /**
     * The position of the last event handed on for {@code channel} (before the first, the stream's head when the
     * daemon took the subscribe), or null. Exact on the reader thread (in a
     * handler); from another thread epoch and offset are read one after the other, for diagnostics.
     */
    StreamOffset position(String channel) {
        Cursor c = cursors.get(channel);
        return c == null || c.epoch == null ? null : new StreamOffset(c.epoch, c.last);
    }

    /**
     * The subscribe frames for a new connection: under protocol 2 those channels with a position resume from it
     * ({@code from}); the others (and all under protocol 1) start with the events published from now on.
     */
    List<byte[]> resubscribeFrames(int protocol) {
        List<String> fresh = new ArrayList<>();
        List<String> resumed = new ArrayList<>();
        Map<String, Map.Entry<String, Long>> from = new LinkedHashMap<>();
        cursors.forEach((channel, c) -> {
            if (protocol >= 2 && c.epoch != null) {
                resumed.add(channel);
                from.put(channel, new AbstractMap.SimpleImmutableEntry<>(c.epoch, c.last));
            } else {
                fresh.add(channel);
            }
        });
        List<byte[]> frames = new ArrayList<>(2);
        if (!fresh.isEmpty()) {
            frames.add(Messages.subscribe(fresh));
        }
        if (!resumed.isEmpty()) {
            frames.add(Messages.subscribe(resumed, from));
        }
        return frames;
    }

    /**
     * An event of a stream channel, on the reader thread.
     *
     * @param offset its offset, or -1 (a protocol 1 daemon gives none; then it is handed on with a null epoch)
     * @param epoch the epoch of the connection it came on (null under protocol 1)
     * @return false when the channel is not a stream of this client
     */
    boolean onEvent(String channel, long offset, byte[] data, String epoch) {
        Cursor c = cursors.get(channel);
        if (c == null) {
            return false;
        }
        if (offset >= 0 && epoch != null) {
            if (epoch.equals(c.epoch) && offset <= c.last) {
                LOG.fine(() -> "stream " + channel + ": event at offset " + offset + " already handed on; dropped");
                return true;
            }
            c.epoch = epoch;
            c.last = offset;
        }
        try {
            c.handler.onEvent(data, offset >= 0 ? epoch : null, offset);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "handler for stream " + channel + " failed; the client goes on", e);
        }
        return true;
    }

    /**
     * The daemon's {@code resumed} for a stream of this client, on the reader thread: the answer to its subscribe.
     * Without a position yet (it subscribed without {@code from}) the stream's head becomes its position, so that a
     * reconnect before the first event still resumes from there; with one, the replayed events that follow carry
     * theirs.
     *
     * @param head the stream's head when the daemon took the subscribe, or -1 (an older daemon does not say)
     * @return true when there is a gap: events after the position asked for are lost (new epoch, beyond retention)
     */
    boolean onResumed(String channel, String epoch, boolean complete, long head, String address) {
        Cursor c = cursors.get(channel);
        if (c == null) {
            return false;
        }
        if (c.epoch == null) {
            if (head >= 0 && epoch != null) {
                c.last = head;
                c.epoch = epoch; // last: position() reads epoch first
            }
            return false;
        }
        if (complete) {
            return false;
        }
        String before = c.epoch + ":" + c.last;
        gapLog.log(() -> "stream " + channel + " resumed with a gap: the channel daemon at " + address
                + " no longer has "
                + "every event after " + before + " (now epoch " + epoch + "; restarted without its data folder, or "
                + "the outage outlasted its retention); what it has follows");
        return true;
    }
}
