package io.channelpush.push;

import io.channelpush.push.bus.BusCodec;
import io.channelpush.push.bus.BusMessage;
import io.channelpush.push.bus.BusUnavailableException;
import io.channelpush.push.bus.MessageBus;
import io.channelpush.push.bus.PublishOutcomeUnknownException;
import io.channelpush.push.bus.StreamPosition;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Publishes with the bus's acknowledgement ({@link MessageBus#publishAcked}), bounded by
 * {@code channelpush.publish-ack-timeout-ms} even when the bus never answers: the future then fails with
 * {@link PublishOutcomeUnknownException} (504). Many publishes are in flight at once (nothing waits here); the
 * metrics count those pending and the time to each acknowledgement. Never blocks, except {@link #publishAndWait}.
 * Thread-safe.
 */
final class AckedPublisher {
    private final MessageBus bus;
    private final Duration timeout;
    private final PushMetrics metrics;

    AckedPublisher(MessageBus bus, int timeoutMillis, PushMetrics metrics) {
        this.bus = bus;
        this.timeout = Duration.ofMillis(timeoutMillis);
        this.metrics = metrics;
    }

    /**
     * Publishes {@code m}; the future completes with its stream position (null off the streams) once the bus has
     * it, or fails with {@link BusUnavailableException} (certainly not taken) or
     * {@link PublishOutcomeUnknownException} (fate unknown), at the latest about the timeout later.
     */
    CompletableFuture<StreamPosition> publish(BusMessage m) {
        long start = System.nanoTime();
        metrics.acksPending.increment();
        CompletableFuture<StreamPosition> f;
        try {
            f = bus.publishAcked(BusCodec.channel(m), BusCodec.encode(m), timeout);
        } catch (RuntimeException e) {
            // the contract says fail the future, not throw; a backend that throws is answered the same way
            f = CompletableFuture.failedFuture(e);
        }
        // the bus bounds its own wait; this bound (a little later) only catches a bus that broke its contract
        return f.orTimeout(timeout.toMillis() + 250, TimeUnit.MILLISECONDS)
                .handle((position, error) -> {
                    metrics.acksPending.decrement();
                    if (error == null) {
                        metrics.ackLatency(System.nanoTime() - start);
                        return position;
                    }
                    Throwable cause = unwrap(error);
                    metrics.publishFailures.increment();
                    if (cause instanceof TimeoutException) {
                        throw new PublishOutcomeUnknownException("the bus did not acknowledge within "
                                + timeout.toMillis() + " ms");
                    }
                    if (cause instanceof RuntimeException r) {
                        throw r;
                    }
                    throw new CompletionException(cause);
                });
    }

    /**
     * Publishes and waits for the outcome: only from a thread that may block (the servlet's, for publish reports).
     *
     * @throws BusUnavailableException when the bus did not take it
     * @throws PublishOutcomeUnknownException when its fate is unknown
     */
    void publishAndWait(BusMessage m) throws InterruptedException {
        try {
            publish(m).get();
        } catch (ExecutionException e) {
            Throwable cause = unwrap(e);
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(cause);
        }
    }

    static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
