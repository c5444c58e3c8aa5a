package io.channelpush.push.bus;

import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.api.PublishAck;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * The acknowledged publishes of a {@link NatsBus} ({@link MessageBus#publishAcked}): a publish to a stream channel
 * waits for its stream's epoch ({@link NatsStreams}, in call order), goes to JetStream and is answered with its
 * position; one to another channel is answered by NATS core ({@link NatsCoreAcks}). Bounded by the bytes awaiting
 * acknowledgement (beyond, refused) and by each publish's deadline ({@link PublishDeadlines}). A sequence lower than
 * one acknowledged before means the stream was created again: its new epoch is read before the answer. Thread-safe;
 * futures complete on jnats' threads or on the streams' executor.
 */
final class NatsStreamPublishes {
    // the streams' logger: the lines about a stream stay together
    private static final Logger LOG = Logger.getLogger(NatsStreams.class.getName());
    /** Bytes counted for a publish besides its payload: the protocol line and headers of a JetStream request. */
    static final int PUBLISH_OVERHEAD = 128;

    private final NatsStreams streams;
    private final long maxPendingBytes;
    private final ScheduledExecutorService exec;
    private final Supplier<Connection> connection;
    private final NatsCoreAcks coreAcks;
    private final PublishDeadlines deadlines;
    private final AtomicLong pendingBytes = new AtomicLong();

    /** @param maxPendingBytes bytes of acknowledged publishes awaiting their answer; beyond, publishes are refused */
    NatsStreamPublishes(NatsStreams streams, long maxPendingBytes, ScheduledExecutorService exec,
                        Supplier<Connection> connection, NatsCoreAcks coreAcks) {
        this.streams = streams;
        this.maxPendingBytes = maxPendingBytes;
        this.exec = exec;
        this.connection = connection;
        this.coreAcks = coreAcks;
        this.deadlines = new PublishDeadlines(exec);
    }

    /** Publishes awaiting their acknowledgement, in bytes (for metrics). */
    long pendingBytes() {
        return pendingBytes.get();
    }

    /** {@link MessageBus#publishAcked}. */
    CompletableFuture<StreamPosition> publishAcked(String channel, byte[] payload, Duration timeout) {
        Connection c = connection.get();
        if (exec.isShutdown()) {
            return CompletableFuture.failedFuture(new BusUnavailableException("NATS bus is closed"));
        }
        if (c == null || c.getStatus() != Connection.Status.CONNECTED) {
            return CompletableFuture.failedFuture(new BusUnavailableException("not connected to NATS"));
        }
        long size = payload.length + PUBLISH_OVERHEAD;
        if (pendingBytes.addAndGet(size) > maxPendingBytes) {
            pendingBytes.addAndGet(-size);
            return CompletableFuture.failedFuture(new BusUnavailableException("NATS: more than " + maxPendingBytes
                    + " bytes of publishes await acknowledgement (channelpush.channel-buffer-bytes)"));
        }
        CompletableFuture<StreamPosition> result = new CompletableFuture<>();
        AtomicBoolean sent = new AtomicBoolean();
        if (!deadlines.add(result, sent, timeout)) {
            pendingBytes.addAndGet(-size);
            return CompletableFuture.failedFuture(new BusUnavailableException("NATS bus is closed"));
        }
        result.whenComplete((p, e) -> pendingBytes.addAndGet(-size));
        NatsStreams.Stream s = streams.stream(channel);
        if (s == null) {
            sent.set(true); // before: a timeout while it is being written must not say "certainly not taken"
            coreAcks.publish(c, NatsSubjects.subject(channel), payload, result);
            return result;
        }
        streams.withEpoch(s, (epoch, refused) -> {
            if (refused != null) {
                result.completeExceptionally(refused);
            } else if (!result.isDone()) {
                send(s, epoch, payload, result, sent);
            }
        });
        return result;
    }

    private void send(NatsStreams.Stream s, String epoch, byte[] payload, CompletableFuture<StreamPosition> result,
                      AtomicBoolean sent) {
        CompletableFuture<PublishAck> ack;
        sent.set(true); // before: a timeout while it is being written must not say "certainly not taken"
        try {
            ack = streams.context().publishAsync(s.subject, payload);
        } catch (IllegalStateException | IllegalArgumentException e) {
            result.completeExceptionally(new BusUnavailableException("NATS: " + e.getMessage()));
            return;
        }
        ack.whenComplete((a, error) -> {
            streams.served(error, "a publish to " + s.subject);
            if (error != null) {
                result.completeExceptionally(failure(error));
                return;
            }
            if (a.getSeqno() > s.highestAcked.getAndAccumulate(a.getSeqno(), Math::max)) {
                result.complete(new StreamPosition(epoch, a.getSeqno()));
            } else {
                // A lower sequence than one acknowledged before: the stream was created again. Read its new epoch.
                LOG.warning(() -> "JetStream stream " + s.name + " started again at sequence " + a.getSeqno()
                        + ": its history was lost");
                s.highestAcked.set(a.getSeqno());
                streams.forgetEpoch(s);
                streams.refresh(s);
                streams.withEpoch(s, (e, refused) -> {
                    if (refused != null) {
                        result.completeExceptionally(new PublishOutcomeUnknownException("stored, but the stream's "
                                + "new epoch is unknown: " + refused.getMessage()));
                    } else {
                        result.complete(new StreamPosition(e, a.getSeqno()));
                    }
                });
            }
        });
    }

    /** What a failed JetStream publish means for the publisher. */
    static RuntimeException failure(Throwable error) {
        Throwable e = NatsStreams.cause(error);
        String m = String.valueOf(e.getMessage());
        if (e instanceof JetStreamApiException) {
            return new BusUnavailableException("NATS JetStream refused the message: " + m);
        }
        if (m.toLowerCase(Locale.ROOT).contains("no responders")) {
            return new BusUnavailableException("no NATS JetStream server took the message (no stream leader): " + m);
        }
        return new PublishOutcomeUnknownException("no acknowledgement from NATS JetStream: " + m);
    }
}
