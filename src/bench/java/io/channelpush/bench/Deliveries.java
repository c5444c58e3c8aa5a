package io.channelpush.bench;

import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts deliveries of the current phase and their publish-to-receive latency. Messages carry
 * {@code <phase>:<seq>:<System.nanoTime() at publish>:<padding>}; publisher and clients share this JVM's clock.
 * Each receiving thread records into a histogram of its own; {@link #latency()} merges them. Thread-safe.
 */
final class Deliveries {
    private volatile String phase = "";
    private volatile byte[] phaseBytes = new byte[0];
    private final LongAdder count = new LongAdder();
    private final LongAdder foreign = new LongAdder();
    private final AtomicLong lastNanos = new AtomicLong();
    private final ConcurrentLinkedQueue<LatencyHistogram> histograms = new ConcurrentLinkedQueue<>();
    private volatile ThreadLocal<LatencyHistogram> local = newLocal();
    private final LongAdder errors = new LongAdder();
    private final ConcurrentLinkedQueue<String> closes = new ConcurrentLinkedQueue<>();
    private volatile boolean stopping;

    private ThreadLocal<LatencyHistogram> newLocal() {
        return ThreadLocal.withInitial(() -> {
            LatencyHistogram h = new LatencyHistogram();
            histograms.add(h);
            return h;
        });
    }

    /** Starts counting a new phase; call between phases only. */
    void start(String name) {
        phase = name + ":";
        phaseBytes = phase.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        count.reset();
        foreign.reset();
        histograms.clear();
        local = newLocal();
        lastNanos.set(0);
    }

    void record(String text) {
        long now = System.nanoTime();
        if (!text.startsWith(phase)) {
            foreign.increment();
            return;
        }
        int a = text.indexOf(':', phase.length());
        int b = text.indexOf(':', a + 1);
        long sent = Long.parseLong(text, a + 1, b, 10);
        recordLatency(now, now - sent);
    }

    /** {@link #record(String)} for a message held as UTF-8 bytes {@code [from, from + length)} of {@code buf}. */
    void record(java.nio.ByteBuffer buf, int from, int length) {
        long now = System.nanoTime();
        byte[] prefix = phaseBytes;
        int end = from + length;
        int i = from;
        for (byte b : prefix) {
            if (i >= end || buf.get(i++) != b) {
                foreign.increment();
                return;
            }
        }
        while (i < end && buf.get(i) != ':') {
            i++;
        }
        long sent = 0;
        for (i++; i < end && buf.get(i) != ':'; i++) {
            int d = buf.get(i) - '0';
            if (d < 0 || d > 9) {
                foreign.increment();
                return;
            }
            sent = sent * 10 + d;
        }
        recordLatency(now, now - sent);
    }

    private void recordLatency(long now, long nanos) {
        LatencyHistogram h = local.get();
        synchronized (h) {
            h.record(nanos);
        }
        count.increment();
        lastNanos.accumulateAndGet(now, Math::max);
    }

    void error(String text) {
        errors.increment();
    }

    /** From now on closes are expected (the harness is closing its clients). */
    void stopping() {
        stopping = true;
    }

    void closed(int status, String reason) {
        if (!stopping && status != 1000) {
            closes.add(status + " " + reason);
        }
    }

    long count() {
        return count.sum();
    }

    long foreign() {
        return foreign.sum();
    }

    long errors() {
        return errors.sum();
    }

    List<String> unexpectedCloses() {
        return List.copyOf(closes);
    }

    long lastNanos() {
        return lastNanos.get();
    }

    LatencyHistogram latency() {
        LatencyHistogram all = new LatencyHistogram();
        for (LatencyHistogram h : histograms) {
            synchronized (h) {
                all.add(h);
            }
        }
        return all;
    }
}
