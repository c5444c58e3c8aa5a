package io.channelpush.bench;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;
import java.util.function.IntPredicate;

/**
 * Sends publisher requests asynchronously with at most {@code window} in flight and at most {@code rate} per
 * second, round robin over the publisher URLs, and counts the answers that were not {@code ok}. Not thread-safe:
 * one caller.
 */
final class Publisher {
    private final PublishClient http;
    private final List<URI> urls;
    private final Semaphore window;
    private final int windowSize;
    private final long intervalNanos;
    final AtomicLong failures = new AtomicLong();
    final AtomicLong sent = new AtomicLong();

    Publisher(PublishClient http, List<URI> urls, int window, int rate) {
        this.http = http;
        this.urls = urls;
        this.window = new Semaphore(window);
        this.windowSize = window;
        this.intervalNanos = rate > 0 ? TimeUnit.SECONDS.toNanos(1) / rate : 0;
    }

    static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /**
     * Sends {@code n} requests; {@code query} builds the i-th query string (it is called just before sending, so
     * a timestamp inside it is the send time). Returns when every answer has arrived or the deadline passed.
     */
    void run(int n, IntFunction<String> query, long deadlineNanos) throws InterruptedException {
        run(n, query, i -> true, deadlineNanos);
    }

    /**
     * {@link #run(int, IntFunction, long)} with a gate: {@code gate} is asked before the i-th request and may
     * wait; when it answers false the run stops there.
     */
    void run(int n, IntFunction<String> query, IntPredicate gate, long deadlineNanos) throws InterruptedException {
        long next = System.nanoTime();
        for (int i = 0; i < n && System.nanoTime() < deadlineNanos && gate.test(i); i++) {
            if (intervalNanos > 0) {
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                next += intervalNanos;
            }
            if (!window.tryAcquire(Math.max(1, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                break;
            }
            URI base = urls.get(i % urls.size());
            sent.incrementAndGet();
            http.get(base, "/?" + query.apply(i), status -> {
                if (status != 200) {
                    failures.incrementAndGet();
                }
                window.release();
            });
        }
        window.tryAcquire(windowSize, Math.max(1, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        window.release(windowSize);
    }
}
