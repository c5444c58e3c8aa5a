package io.channelpush.push.bus;

import io.nats.client.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Acknowledged publishes of channels outside JetStream ({@code u}, {@code w:*}, {@code n}, {@code q}): a NATS core
 * publish, confirmed by a flush (PING answered by PONG), which the server answers once it has read everything the
 * connection sent before, that is once it has routed the message to the subscribers it had then. So {@code ok}
 * means "the NATS server has it and passed it on", not "stored": NATS core keeps nothing, and a node that was
 * disconnected at that moment misses it (such messages are not recoverable, as the issue says of targeted
 * pushes). Flushes are shared: the publishes waiting when one flush starts are confirmed by it. A flush confirms
 * only when jnats counted a PONG and the connection was not made again since the publish was written (jnats' flush
 * returns quietly without a PONG when too many pings are out, as on a stalled server): otherwise the publish is
 * {@link PublishOutcomeUnknownException}.
 *
 * <p>Thread-safe. Flushes run on one thread of {@code exec}; futures complete there.
 */
final class NatsCoreAcks {
    private final ExecutorService exec;
    private final Duration flushTimeout;
    private final ConcurrentLinkedQueue<Waiting> waiting = new ConcurrentLinkedQueue<>();

    /** A publish awaiting its flush, with the connection's reconnection count when it was written. */
    private record Waiting(CompletableFuture<StreamPosition> result, long reconnects) {
    }
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private volatile Connection connection;

    NatsCoreAcks(ExecutorService exec, Duration flushTimeout) {
        this.exec = exec;
        this.flushTimeout = flushTimeout;
    }

    /** Publishes and completes {@code result} with null once a flush after it returned. */
    void publish(Connection c, String subject, byte[] payload, CompletableFuture<StreamPosition> result) {
        long reconnects = c.getStatistics().getReconnects();
        try {
            c.publish(subject, payload);
        } catch (IllegalStateException | IllegalArgumentException e) {
            result.completeExceptionally(new BusUnavailableException("NATS: " + e.getMessage()));
            return;
        }
        connection = c;
        waiting.add(new Waiting(result, reconnects));
        if (!scheduled.getAndSet(true)) {
            exec.execute(this::flush);
        }
    }

    private void flush() {
        scheduled.set(false);
        List<Waiting> batch = new ArrayList<>();
        for (Waiting w; (w = waiting.poll()) != null; ) {
            batch.add(w);
        }
        if (batch.isEmpty()) {
            return;
        }
        Connection c = connection;
        RuntimeException failure = null;
        long flushes = c.getStatistics().getFlushCounter();
        try {
            c.flush(flushTimeout);
            // jnats' flush also returns without a PONG (too many pings out on a stalled server, a connection lost
            // meanwhile): only a counted flush on a connected connection confirms.
            if (c.getStatistics().getFlushCounter() == flushes || c.getStatus() != Connection.Status.CONNECTED) {
                failure = new PublishOutcomeUnknownException("NATS did not confirm the publish (no PONG)");
            }
        } catch (TimeoutException | IllegalStateException e) {
            // Sent or in jnats' buffer: it may still reach the server.
            failure = new PublishOutcomeUnknownException("NATS did not confirm the publish: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failure = new PublishOutcomeUnknownException("NATS bus closing");
        }
        long reconnects = c.getStatistics().getReconnects();
        for (Waiting w : batch) {
            if (failure != null) {
                w.result().completeExceptionally(failure);
            } else if (w.reconnects() != reconnects) {
                // written before a reconnection: the PONG came from the new connection, the old one may have lost it
                w.result().completeExceptionally(new PublishOutcomeUnknownException("NATS connection lost and made "
                        + "again after the publish"));
            } else {
                w.result().complete(null);
            }
        }
    }
}
