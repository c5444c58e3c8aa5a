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
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Publishes with the bus's acknowledgement ({@link MessageBus#publishAcked}), bounded by
 * {@code channelpush.publish-ack-timeout-ms} even when the bus never answers: the future then fails with
 * {@link PublishOutcomeUnknownException} (504). Many publishes are in flight at once (nothing waits here); the
 * metrics count those pending and the time to each acknowledgement. Never blocks, except {@link #publishAndWait}.
 * Thread-safe.
 *
 * <p>The bound behind the bus's own: the publishes of each tenth of a second share one check, run once the last of
 * them is past the bound (one timer task per bucket on the JDK's delay thread, instead of one scheduled and cancelled
 * per publish, which woke that thread about once per publish).
 */
final class AckedPublisher {
    private static final long BUCKET_MILLIS = 100;
    /** How much later than the bus's own bound this one fails a publish. */
    private static final long GUARD_SLACK_MILLIS = 250;

    /** The publishes begun within {@link #BUCKET_MILLIS} of {@code start}. */
    private static final class Bucket {
        final long start;
        final ConcurrentLinkedQueue<CompletableFuture<?>> futures = new ConcurrentLinkedQueue<>();
        volatile boolean checked;

        Bucket(long start) {
            this.start = start;
        }
    }

    private final MessageBus bus;
    private final Duration timeout;
    private final PushMetrics metrics;
    private final AtomicReference<Bucket> bucket = new AtomicReference<>();

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
        if (!f.isDone()) {
            guard(f);
        }
        return f.handle((position, error) -> {
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

    /** Fails {@code f} with a {@link TimeoutException} if it is still pending past the bound. */
    private void guard(CompletableFuture<?> f) {
        long now = System.nanoTime();
        Bucket b = bucket.get();
        while (b == null || now - b.start >= TimeUnit.MILLISECONDS.toNanos(BUCKET_MILLIS)) {
            Bucket fresh = new Bucket(now);
            if (bucket.compareAndSet(b, fresh)) {
                CompletableFuture.delayedExecutor(timeout.toMillis() + GUARD_SLACK_MILLIS + BUCKET_MILLIS,
                        TimeUnit.MILLISECONDS).execute(() -> check(fresh));
                b = fresh;
                break;
            }
            b = bucket.get();
        }
        b.futures.add(f);
        // a publisher held up past the check (a descheduled thread) is past the bound by then: fail it here
        if (b.checked) {
            f.completeExceptionally(new TimeoutException());
        }
    }

    private static void check(Bucket b) {
        b.checked = true;
        for (CompletableFuture<?> f : b.futures) {
            if (!f.isDone()) {
                f.completeExceptionally(new TimeoutException());
            }
        }
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
