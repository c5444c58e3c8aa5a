package io.channelpush.bench;

import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Counts deliveries of the current phase and their publish-to-receive latency. Messages carry
 * {@code <phase>:<seq>:<System.nanoTime() at publish>:<padding>}; publisher and clients share this JVM's clock.
 * Each receiving thread records into a histogram of its own; {@link #latency()} merges them. Per message it also
 * counts the clients that received it, so that a publisher can wait for a message to be delivered everywhere
 * ({@link #awaitDelivered}). Thread-safe.
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
    private volatile AtomicIntegerArray perMessage = new AtomicIntegerArray(0);
    private volatile int recipients;
    private volatile Thread waiter;

    private ThreadLocal<LatencyHistogram> newLocal() {
        return ThreadLocal.withInitial(() -> {
            LatencyHistogram h = new LatencyHistogram();
            histograms.add(h);
            return h;
        });
    }

    /** Starts counting a new phase; call between phases only. */
    void start(String name) {
        start(name, 0, 0);
    }

    /**
     * Starts a phase of {@code messages} messages numbered from 0, each meant for {@code recipients} clients.
     */
    void start(String name, int messages, int recipients) {
        perMessage = new AtomicIntegerArray(messages);
        this.recipients = recipients;
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
        recordLatency(now, now - sent, Integer.parseInt(text, phase.length(), a, 10));
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
        int seq = 0;
        for (; i < end && buf.get(i) != ':'; i++) {
            seq = seq * 10 + buf.get(i) - '0';
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
        recordLatency(now, now - sent, seq);
    }

    private void recordLatency(long now, long nanos, int seq) {
        LatencyHistogram h = local.get();
        synchronized (h) {
            h.record(nanos);
        }
        count.increment();
        lastNanos.accumulateAndGet(now, Math::max);
        AtomicIntegerArray per = perMessage;
        if (seq >= 0 && seq < per.length() && per.incrementAndGet(seq) == recipients) {
            Thread w = waiter;
            if (w != null) {
                LockSupport.unpark(w);
            }
        }
    }

    /**
     * Waits until message {@code seq} of the phase has reached all its recipients, or the deadline.
     *
     * @return false at the deadline
     */
    boolean awaitDelivered(int seq, long deadlineNanos) {
        AtomicIntegerArray per = perMessage;
        waiter = Thread.currentThread();
        try {
            while (per.get(seq) < recipients) {
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                LockSupport.parkNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)));
            }
            return true;
        } finally {
            waiter = null;
        }
    }

    /** How many clients received message {@code seq} of the phase. */
    int deliveredTo(int seq) {
        return perMessage.get(seq);
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
