package io.channelpush.bench;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Opens N harness clients with at most W handshakes in flight (connect started, welcome line not yet read): a
 * sliding window, so a slow handshake holds one place rather than a whole batch, and the rate measured is what the
 * servers sustain at that concurrency rather than the latency of the slowest handshake of each batch. With W = N
 * every connect is started at once (a reconnect storm). Records each client's time from its connect to its
 * welcome. Thread-safe: the transport's threads report welcomes and failures while {@link #run} waits.
 */
final class ConnectRamp {
    private final Transport transport;
    private final Deliveries deliveries;
    private final List<URI> targets;
    private final LatencyHistogram latency = new LatencyHistogram();
    private final AtomicInteger failures = new AtomicInteger();
    private final AtomicLong lastWelcomeNanos = new AtomicLong();
    private volatile long lastIssuedNanos;
    private volatile String firstFailure;

    ConnectRamp(Transport transport, Deliveries deliveries, List<URI> targets) {
        this.transport = transport;
        this.deliveries = deliveries;
        this.targets = targets;
    }

    /**
     * Connects {@code count} clients, client i to target i mod targets, waiting for every welcome or failure until
     * {@code deadlineNanos}.
     *
     * @param firstIndex the first client's number (spreads clients over source addresses and loop threads)
     * @param startNanos the instant every latency is counted from (a reconnect storm counts from the node being
     *                   ready); 0 to count each from its own connect
     * @return the clients welcomed, in connect order
     */
    List<BenchClient> run(int count, int window, int firstIndex, long startNanos, long deadlineNanos)
            throws Exception {
        Semaphore places = new Semaphore(window);
        List<BenchClient> started = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0 || !places.tryAcquire(left, TimeUnit.NANOSECONDS)) {
                break;
            }
            BenchClient c = new BenchClient(deliveries);
            long t0 = startNanos != 0 ? startNanos : System.nanoTime();
            c.welcomed.whenComplete((ok, e) -> {
                long now = System.nanoTime();
                if (e == null) {
                    synchronized (latency) {
                        latency.record(now - t0);
                    }
                    lastWelcomeNanos.accumulateAndGet(now, Math::max);
                } else {
                    failures.incrementAndGet();
                    if (firstFailure == null) {
                        firstFailure = String.valueOf(e);
                    }
                }
                places.release();
            });
            try {
                transport.connect(c, targets.get((firstIndex + i) % targets.size()), firstIndex + i);
            } catch (Exception e) {
                c.onError(e);
            }
            started.add(c);
        }
        lastIssuedNanos = System.nanoTime();
        places.tryAcquire(window, Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        List<BenchClient> welcomed = new ArrayList<>(started.size());
        for (BenchClient c : started) {
            if (c.welcomed.isDone() && !c.welcomed.isCompletedExceptionally()) {
                welcomed.add(c);
            }
        }
        return welcomed;
    }

    /** Connect-to-welcome times of the welcomed clients; read after {@link #run}. */
    LatencyHistogram latency() {
        synchronized (latency) {
            return latency;
        }
    }

    int failures() {
        return failures.get();
    }

    /** The first failure seen, or null. */
    String firstFailure() {
        return firstFailure;
    }

    /** System.nanoTime when the last connect had been started. */
    long lastIssuedNanos() {
        return lastIssuedNanos;
    }

    /** System.nanoTime of the last welcome, 0 before any. */
    long lastWelcomeNanos() {
        return lastWelcomeNanos.get();
    }
}
