package io.channelpush.channel.daemon;

import io.channelpush.channel.log.RateLimitedLog;
import io.channelpush.channel.protocol.ErrorCode;
import io.channelpush.channel.protocol.StreamMessages;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The answers to publishes with an {@code id} (acks and refusals), held until the end of the loop's batch and sent in
 * publish order once the stream logs appended to are written ({@link #commit}, the group commit; with
 * {@code --fsync always} also flushed). While the disk refuses the records, the acks that wait for it stay held and
 * the answers that owe nothing to the disk go at once. Part of {@link StreamService}; confined to the event-loop
 * thread.
 */
final class StreamAcks {
    /** @param waitsForDisk an ack of records appended to a stream: it goes out only once they are written */
    private record Reply(Connection c, byte[] frame, long id, boolean waitsForDisk) {
    }

    private final Streams streams;
    private final Connections connections;
    private final RateLimitedLog storageErrors;
    /** Acks and refusals with an id waiting for the group commit, in order. */
    private final List<Reply> pending = new ArrayList<>();

    StreamAcks(Streams streams, Connections connections, RateLimitedLog storageErrors) {
        this.streams = streams;
        this.connections = connections;
        this.storageErrors = storageErrors;
    }

    /** See {@link StreamService#reply(Connection, byte[], long, boolean)}. */
    void reply(Connection c, byte[] frame, long id, boolean waitsForDisk) {
        pending.add(new Reply(c, frame, id, waitsForDisk));
    }

    /** A non-fatal refusal, with the request's id when it has one ({@code id < 0}: none), in ack order. */
    void refuse(Connection c, ErrorCode code, String message, long id) {
        if (id < 0) {
            connections.refuse(c, code, message, null);
        } else {
            connections.logRefusal(c, code, message);
            reply(c, StreamMessages.error(code, message, id), id, false);
        }
    }

    /** End of a batch: writes the logs appended to (and flushes them with {@code --fsync always}), then the acks. */
    void commit() {
        if (pending.isEmpty() && !streams.hasUncommitted()) {
            return;
        }
        try {
            streams.commit();
        } catch (IOException e) {
            // the acks wait (their publishes' clients time out: the outcome is unknown to them) until the disk takes
            // the records; meanwhile new publishes to that stream are refused with storage_failed
            storageErrors.log(() -> "could not write the stream logs in " + streams.dataDir().toAbsolutePath() + ": "
                    + e + "; acks wait and new publishes to the stream are refused until it succeeds. Free space on "
                    + "that disk or fix it; the daemon retries by itself");
            // Refusals (storage_failed) and acks of publishes that appended no record owe nothing to the disk: they go
            // now, ahead of the acks that wait, or their publishers would only hear of them at their ack timeout.
            pending.removeIf(r -> {
                if (!r.waitsForDisk) {
                    connections.send(r.c, r.frame);
                }
                return !r.waitsForDisk;
            });
            return;
        }
        for (Reply r : pending) {
            connections.send(r.c, r.frame);
        }
        pending.clear();
    }

    /** Drops the answers owed to a closing connection. */
    void forget(Connection c) {
        pending.removeIf(r -> r.c == c);
    }
}
