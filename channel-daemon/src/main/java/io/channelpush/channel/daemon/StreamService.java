package io.channelpush.channel.daemon;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.channelpush.channel.log.RateLimitedLog;
import io.channelpush.channel.protocol.ErrorCode;
import io.channelpush.channel.protocol.Message;
import io.channelpush.channel.protocol.ProtocolException;
import io.channelpush.channel.protocol.StreamMessages;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The stream side of the broker (protocol version 2): appends publishes to stream channels' logs, answers acks in
 * publish order (after the group commit with {@code --fsync always}; {@link StreamAcks}), replays resumes from the
 * logs in pieces as connections drain, and answers {@code history}. Confined to the event-loop thread.
 */
final class StreamService {
    private static final Logger LOG = Logger.getLogger(StreamService.class.getName());
    /** A replaying connection gets more events read from disk while it has less than this queued. */
    static final int REPLAY_CHUNK_BYTES = 256 * 1024;
    /** Most events in one {@code history_reply}, and most bytes of their records (one event at least). */
    static final int HISTORY_MAX_EVENTS = 1000;
    static final int HISTORY_MAX_BYTES = 256 * 1024;

    private final Streams streams;
    private final Connections connections;
    private final MemoryBudget budget;
    private final long outboundLimit;
    /** {@link #REPLAY_CHUNK_BYTES}, or half the outbound limit when that is less. */
    private final int replayChunk;
    private final RateLimitedLog storageErrors = new RateLimitedLog(LOG, Level.SEVERE);
    private final StreamAcks acks;
    private final List<Connection> replaying = new ArrayList<>();
    /** Whether the last {@link #pump} stopped at the memory bound (then it waits for the periodic sweep). */
    private boolean budgetBlocked;

    StreamService(Streams streams, Connections connections, MemoryBudget budget, long outboundLimitBytes) {
        this.outboundLimit = outboundLimitBytes;
        this.replayChunk = (int) Math.min(REPLAY_CHUNK_BYTES, outboundLimitBytes / 2);
        this.streams = streams;
        this.connections = connections;
        this.budget = budget;
        this.acks = new StreamAcks(streams, connections, storageErrors);
    }

    String epoch() {
        return streams.epoch();
    }

    StreamLog log(String channel) {
        return streams.log(channel);
    }

    /**
     * Appends one record per stream channel of a publish (in the order of {@code logs}); all or nothing.
     *
     * @param logs a log per channel, null for a channel that is not a stream
     * @return the offsets (0 where not a stream), or null when a log could not be written (the client was told)
     */
    long[] append(Connection c, List<String> channels, StreamLog[] logs, byte[] data, long id) {
        long[] offsets = new long[logs.length];
        long now = System.currentTimeMillis();
        for (int i = 0; i < logs.length; i++) {
            if (logs[i] == null) {
                continue;
            }
            try {
                offsets[i] = logs[i].append(data, now);
                streams.appended(logs[i]);
            } catch (IOException e) {
                String ch = channels.get(i);
                StreamLog failed = logs[i];
                storageErrors.log(() -> "could not append to the stream log " + failed.dir.toAbsolutePath() + ": " + e
                        + "; publishes to \"" + ch + "\" are refused (storage_failed) until it can be written. Free "
                        + "space on that disk or fix it; the daemon goes on by itself once writes succeed");
                for (int j = i - 1; j >= 0; j--) {
                    StreamLog earlier = logs[j];
                    if (earlier != null) {
                        try {
                            earlier.dropLast();
                        } catch (IOException again) {
                            storageErrors.log(() -> "could not take back a record of " + earlier.dir + ": " + again);
                        }
                    }
                }
                refuse(c, ErrorCode.STORAGE_FAILED, "the daemon could not write the log of stream \"" + ch
                        + "\"; the publish was not taken; retry later", id);
                return null;
            }
        }
        return offsets;
    }

    /**
     * Answers a publish with {@code id} at the end of the batch, once its records are written (and, with
     * {@code --fsync always}, on the disk): acks and refusals in publish order ({@link StreamAcks}).
     *
     * @param waitsForDisk it acknowledges records appended to a stream
     */
    void reply(Connection c, byte[] frame, long id, boolean waitsForDisk) {
        acks.reply(c, frame, id, waitsForDisk);
    }

    /** A non-fatal refusal, with the request's id when it has one ({@code id < 0}: none), in ack order. */
    void refuse(Connection c, ErrorCode code, String message, long id) {
        acks.refuse(c, code, message, id);
    }

    /** End of a batch: writes the logs appended to (and flushes them with {@code --fsync always}), then the acks. */
    void commit() {
        acks.commit();
    }

    /**
     * Starts a resume: sends {@code resumed} and queues a replay of the retained events after {@code from}'s offset;
     * the caller must not make the connection a live subscriber of the channel (the replay does, once caught up).
     *
     * @param from {@code {"epoch": E, "offset": N}}
     */
    void resume(Connection c, String channel, StreamLog log, JsonElement from) throws ProtocolException {
        ClientPosition p = ClientPosition.of(from, "from");
        Start s = start(log, p);
        connections.send(c, StreamMessages.resumed(channel, streams.epoch(), s.complete, log.lastOffset()));
        c.replays.addLast(new Replay(channel, log, s.offset));
        if (!replaying.contains(c)) {
            replaying.add(c);
        }
    }

    /**
     * A version 2 subscribe of a stream channel without a position: tells the connection the stream's head, the
     * position its live events start after. The caller makes it a live subscriber right after, in the same turn of the
     * loop (the publishes routed before it are at or below that head, those after it above).
     */
    void head(Connection c, String channel, StreamLog log) {
        connections.send(c, StreamMessages.resumed(channel, streams.epoch(), true, log.lastOffset()));
    }

    /** Where a reader that has seen up to {@code p} starts, and whether it misses nothing. */
    private Start start(StreamLog log, ClientPosition p) {
        long first = log.firstOffset();
        long last = log.lastOffset();
        if (p == null) {
            return new Start(first, first <= 1);
        }
        if (!p.epoch().equals(streams.epoch())) {
            return new Start(first, false);
        }
        if (p.offset() > last) {
            return new Start(last + 1, false); // ahead of this log: it lost what the reader saw (power loss)
        }
        return new Start(Math.max(p.offset() + 1, first), p.offset() + 1 >= first);
    }

    private record Start(long offset, boolean complete) {
    }

    /**
     * Queues more replayed events for connections that have room, from the logs on disk, at most
     * {@link #REPLAY_CHUNK_BYTES} queued per connection; a connection whose replay caught up becomes live (handed to
     * {@code live}). Called once per turn of the loop, before the flush.
     */
    void pump(Broker broker) {
        budgetBlocked = false;
        for (int i = 0; i < replaying.size(); i++) {
            Connection c = replaying.get(i);
            if (!c.closing()) {
                pump(c, broker);
            }
            if (c.closing() || c.replays.isEmpty()) {
                c.replays.clear();
                replaying.remove(i--);
            }
        }
    }

    private void pump(Connection c, Broker broker) {
        while (!c.replays.isEmpty() && !c.closing()) {
            if (c.pendingBytes() >= replayChunk) {
                return; // the flush's OP_WRITE or the next turn brings it back
            }
            Replay r = c.replays.peekFirst();
            r.next = Math.max(r.next, r.log.firstOffset()); // retention may have passed it meanwhile
            if (r.next > r.log.lastOffset()) {
                c.replays.pollFirst();
                broker.goLive(c, r.channel);
                continue;
            }
            int size = r.log.recordBytes(r.next) + r.channel.length() + 64;
            if (c.pendingBytes() > 0 && c.pendingBytes() + size > outboundLimit) {
                return; // never past the connection's outbound limit: wait until it has drained
            }
            if (!budget.fits(size)) {
                budgetBlocked = true; // the memory bound is reached: try again in a later turn, when it has room
                return;
            }
            byte[] data;
            try {
                data = r.log.read(r.next);
            } catch (IOException e) {
                storageErrors.log(() -> "could not read the stream log " + r.log.dir.toAbsolutePath() + ": " + e
                        + "; the resuming " + c + " is closed (it will resume again). Check the disk");
                connections.storageFailure(c, "the daemon could not read its log of \"" + r.channel + "\"; reconnect");
                return;
            }
            connections.send(c, StreamMessages.event(r.channel, r.next, data));
            broker.countDelivered();
            r.next++;
        }
    }

    /**
     * Whether the loop should come back at once, without waiting for I/O, to replay more: a replaying connection has
     * written out what it had (below {@link #REPLAY_CHUNK_BYTES}) and the memory bound has room. A connection whose
     * socket is full brings the loop back with its OP_WRITE instead.
     */
    boolean replayReady() {
        if (budgetBlocked) {
            return false;
        }
        for (Connection c : replaying) {
            if (!c.closing() && !c.replays.isEmpty() && c.pendingBytes() < replayChunk) {
                return true;
            }
        }
        return false;
    }

    void forget(Connection c) {
        c.replays.clear();
        replaying.remove(c);
        acks.forget(c);
    }

    /** Answers {@code history}: at most {@code limit} retained events after {@code after}, within a byte bound. */
    void history(Connection c, Message m) throws ProtocolException {
        long id = m.number("id");
        String channel = m.string("channel");
        long limit = m.number("limit");
        if (id < 0 || limit < 1) {
            throw new ProtocolException(ErrorCode.MISSING_FIELD, "\"history\" needs a non-negative \"id\" and a "
                    + "positive \"limit\"");
        }
        StreamLog log = streams.log(channel);
        if (log == null) {
            refuse(c, ErrorCode.NOT_A_STREAM, "\"" + channel + "\" is not a stream channel of this daemon "
                    + "(--stream-channels)", id);
            return;
        }
        Start s = start(log, ClientPosition.of(m.json().get("after"), "after"));
        long max = Math.min(limit, HISTORY_MAX_EVENTS);
        List<StreamMessages.Entry> events = new ArrayList<>();
        long bytes = 0;
        long off = s.offset;
        try {
            while (off <= log.lastOffset() && events.size() < max
                    && (events.isEmpty() || bytes + log.recordBytes(off) <= HISTORY_MAX_BYTES)) {
                bytes += log.recordBytes(off);
                events.add(new StreamMessages.Entry(off, log.read(off)));
                off++;
            }
        } catch (IOException e) {
            storageErrors.log(() -> "could not read the stream log " + log.dir.toAbsolutePath() + ": " + e
                    + "; a history request was refused. Check the disk");
            refuse(c, ErrorCode.STORAGE_FAILED, "the daemon could not read its log of \"" + channel + "\"", id);
            return;
        }
        connections.send(c, StreamMessages.historyReply(id, channel, streams.epoch(), s.complete, off <= log.lastOffset(),
                events));
    }

    /** For {@code stats_reply}: per stream, its offsets and what it keeps. */
    JsonObject stats(List<String> channels) {
        JsonObject all = new JsonObject();
        for (String ch : channels) {
            StreamLog log = streams.log(ch);
            JsonObject o = new JsonObject();
            o.addProperty("first_offset", log.firstOffset());
            o.addProperty("last_offset", log.lastOffset());
            o.addProperty("messages", log.retainedMessages());
            o.addProperty("bytes", log.retainedBytes());
            o.addProperty("segments", log.segmentCount());
            all.add(ch, o);
        }
        return all;
    }

    /** Age retention; from the loop's periodic sweep. */
    void sweep() {
        streams.sweep(System.currentTimeMillis());
    }
}
