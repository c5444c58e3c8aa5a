package io.channelpush.chaos;

import java.io.IOException;
import java.net.ConnectException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;

/**
 * One numbered publisher ({@code A:1}, {@code A:2}, ...) through a node's HTTP publisher: one request at a time (so
 * that its publishes have an order: each starts after the previous one was answered), at most one every
 * {@code intervalMillis}, each answer recorded with the phase it was sent in. {@link #retarget} moves it to another
 * node (its own died). Thread-safe: a thread of its own publishes, others read.
 */
final class Publisher implements AutoCloseable {
    /** One publish: its number, stream, answer, the phase it was sent in and when. */
    record Publish(int seq, String stream, Outcome outcome, String answer, int phase, long atMillis) {
    }

    final String name;
    private final HttpClient http;
    private final Timeline timeline;
    private final long intervalNanos;
    private final long requestTimeoutMillis;
    private final List<Publish> publishes = new ArrayList<>();
    private final AtomicInteger oks = new AtomicInteger();
    private final Thread thread;
    private volatile String target;
    private volatile boolean running = true;

    Publisher(String name, String target, HttpClient http, Timeline timeline, long intervalMillis,
              long requestTimeoutMillis) {
        this.name = name;
        this.target = target;
        this.http = http;
        this.timeline = timeline;
        this.intervalNanos = TimeUnit.MILLISECONDS.toNanos(intervalMillis);
        this.requestTimeoutMillis = requestTimeoutMillis;
        thread = new Thread(this::run, "publisher-" + name);
        thread.setDaemon(true);
    }

    /** A publisher that never runs, holding {@code publishes} as if it had made them (for the verdict's tests). */
    static Publisher recorded(String name, List<Publish> publishes) {
        Publisher p = new Publisher(name, null, null, new Timeline(), 1, 1);
        p.publishes.addAll(publishes);
        return p;
    }

    void start() {
        thread.start();
    }

    /** Publishes through {@code publisherUrl} from the next publish on. */
    void retarget(String publisherUrl) {
        target = publisherUrl;
    }

    private void run() {
        long next = System.nanoTime();
        for (int seq = 1; running; seq++) {
            int phase = timeline.current();
            long at = timeline.nowMillis();
            String url = target + "?" + Streams.query(name, seq);
            Publish p;
            try {
                ContentResponse r = http.newRequest(url).timeout(requestTimeoutMillis, TimeUnit.MILLISECONDS).send();
                p = answered(seq, r, phase, at);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p = new Publish(seq, Streams.of(seq), Outcome.NO_ANSWER, "interrupted", phase, at);
                running = false;
            } catch (ExecutionException | TimeoutException e) {
                p = new Publish(seq, Streams.of(seq), failure(e), String.valueOf(rootCause(e)), phase, at);
            }
            synchronized (publishes) {
                publishes.add(p);
            }
            if (p.outcome == Outcome.OK) {
                oks.incrementAndGet();
            }
            next += intervalNanos;
            long wait = next - System.nanoTime();
            if (wait > 0) {
                // the publish rate, not a synchronization: at most one publish per interval
                try {
                    TimeUnit.NANOSECONDS.sleep(wait);
                } catch (InterruptedException e) {
                    return;
                }
            } else {
                next = System.nanoTime();
            }
        }
    }

    private static Publish answered(int seq, ContentResponse r, int phase, long at) {
        String body = r.getContentAsString();
        Outcome o = switch (r.getStatus()) {
            case 200 -> "ok".equals(body) ? Outcome.OK : Outcome.OTHER;
            case 503 -> Outcome.UNAVAILABLE;
            case 504 -> Outcome.UNKNOWN;
            default -> Outcome.OTHER;
        };
        String answer = r.getStatus() + " " + (body.length() > 100 ? body.substring(0, 100) : body).strip();
        return new Publish(seq, Streams.of(seq), o, answer, phase, at);
    }

    private static Outcome failure(Exception e) {
        Throwable c = rootCause(e);
        return c instanceof ConnectException ? Outcome.NOT_SENT : Outcome.NO_ANSWER;
    }

    private static Throwable rootCause(Throwable e) {
        Throwable c = e;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c instanceof IOException || c instanceof TimeoutException ? c : e;
    }

    int okCount() {
        return oks.get();
    }

    /** Every publish so far, in order (index {@code seq - 1}). */
    List<Publish> publishes() {
        synchronized (publishes) {
            return List.copyOf(publishes);
        }
    }

    /** Stops after the publish in flight and waits for its answer (at most the request timeout). */
    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(requestTimeoutMillis + 5_000);
        if (thread.isAlive()) {
            thread.interrupt();
            thread.join(5_000);
        }
    }
}
