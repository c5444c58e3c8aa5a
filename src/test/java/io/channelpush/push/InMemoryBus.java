package io.channelpush.push;

import io.channelpush.push.bus.BusUnavailableException;
import io.channelpush.push.bus.Channels;
import io.channelpush.push.bus.MessageBus;
import io.channelpush.push.bus.PublishOutcomeUnknownException;
import io.channelpush.push.bus.StreamEvent;
import io.channelpush.push.bus.StreamHistory;
import io.channelpush.push.bus.StreamPosition;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A {@link MessageBus} inside the test's JVM: a publish runs the channel's handler on the publishing thread, one
 * publish at a time (the bus contract: one handler at a time, in publish order). The stream channels
 * ({@link Channels#isStream}) keep their last {@link #retention} messages with an epoch and offsets from 1, for
 * {@link #history}. Always connected; the exclusive channel is always granted. The test decides the fate of
 * publishes ({@link #acks}) and may hold history answers ({@link #holdHistory}) to let live messages race a
 * recovery. Thread-safe.
 */
final class InMemoryBus implements MessageBus {
    /** What {@link #publishAcked} does. */
    enum Acks {
        /** Delivers and acknowledges at once. */
        ACK,
        /** Refuses: not delivered, fails with {@link BusUnavailableException} (503). */
        REFUSE,
        /** Delivers, but the acknowledgement is lost: fails after the timeout with {@link PublishOutcomeUnknownException}. */
        LOSE_ACK,
        /** Neither delivers nor ever completes the future: the node's own bound must answer. */
        SILENT,
        /** Keeps each publish until {@link #releaseAcks()}, which delivers and acknowledges them in order. */
        HOLD
    }

    private static final class Stream {
        String epoch = "mem-1";
        long next = 1;
        /** Highest offset dropped by retention (0: none). */
        long droppedUpTo;
        final ArrayDeque<StreamEvent> kept = new ArrayDeque<>();
    }

    private final Map<String, Consumer<byte[]>> handlers = new ConcurrentHashMap<>();
    private final Map<String, StreamHandler> streamHandlers = new ConcurrentHashMap<>();
    private final Map<String, Stream> streams = Map.of(Channels.BROADCAST, new Stream(), Channels.GROUPS, new Stream(),
            Channels.USERS, new Stream());
    private final List<Runnable> heldHistory = new ArrayList<>();
    private final List<Runnable> heldAcks = new ArrayList<>();
    private boolean historyHeld;
    /** Whether it says its publishes may block (as NATS does), so that the node uses its publish thread. */
    volatile boolean mayWait;
    /** While false, publishes are refused as a full buffer would refuse them. */
    volatile boolean available = true;
    volatile Acks acks = Acks.ACK;
    /** Messages each stream keeps. */
    volatile int retention = 10_000;
    /** History requests answered so far. */
    volatile int historyRequests;
    /** While set, stream messages are kept (history has them) but reach the node's subscription only on release. */
    private List<Runnable> lagging;
    /** The next this many history requests answer no events but "more" (a fetch that timed out on a stalled bus). */
    final java.util.concurrent.atomic.AtomicInteger emptyHistoryPages = new java.util.concurrent.atomic.AtomicInteger();
    /** The next this many history answers leave out the newest {@link #hiddenNewest} events (a lagging replica). */
    final java.util.concurrent.atomic.AtomicInteger staleHistoryAnswers = new java.util.concurrent.atomic.AtomicInteger();
    volatile int hiddenNewest;
    /** The next this many history requests fail with {@link BusUnavailableException} (a stalled bus). */
    final java.util.concurrent.atomic.AtomicInteger historyFailures = new java.util.concurrent.atomic.AtomicInteger();

    @Override
    public void publish(String channel, byte[] payload) {
        if (!available) {
            throw new BusUnavailableException("in-memory bus set unavailable by the test");
        }
        append(channel, payload);
    }

    private synchronized StreamPosition append(String channel, byte[] payload) {
        Stream s = streams.get(channel);
        if (s == null) {
            Consumer<byte[]> h = handlers.get(channel);
            if (h != null) {
                h.accept(payload);
            }
            return null;
        }
        StreamPosition p = new StreamPosition(s.epoch, s.next++);
        s.kept.add(new StreamEvent(p, payload));
        while (s.kept.size() > retention) {
            s.droppedUpTo = s.kept.removeFirst().position().offset();
        }
        StreamHandler h = streamHandlers.get(channel);
        if (h != null) {
            if (lagging != null) {
                lagging.add(() -> h.onMessage(payload, p));
            } else {
                h.onMessage(payload, p);
            }
        }
        return p;
    }

    /** From now on the node's stream subscription lags: history has the messages, the node gets them later. */
    synchronized void lagSubscription() {
        lagging = new ArrayList<>();
    }

    /** Delivers what the subscription lagged behind, in order, and stops lagging. */
    void catchUpSubscription() {
        List<Runnable> l;
        synchronized (this) {
            l = lagging;
            lagging = null;
        }
        l.forEach(Runnable::run);
    }

    @Override
    public CompletableFuture<StreamPosition> publishAcked(String channel, byte[] payload, Duration timeout) {
        switch (acks) {
            case REFUSE:
                return CompletableFuture.failedFuture(new BusUnavailableException("in-memory bus refuses (test)"));
            case SILENT:
                return new CompletableFuture<>();
            case HOLD: {
                CompletableFuture<StreamPosition> f = new CompletableFuture<>();
                synchronized (heldAcks) {
                    heldAcks.add(() -> f.complete(append(channel, payload)));
                }
                return f;
            }
            case LOSE_ACK:
                append(channel, payload);
                return CompletableFuture.supplyAsync(() -> {
                    throw new PublishOutcomeUnknownException("in-memory bus lost the acknowledgement (test)");
                }, CompletableFuture.delayedExecutor(timeout.toMillis(), TimeUnit.MILLISECONDS));
            default:
                try {
                    publish(channel, payload);
                } catch (BusUnavailableException e) {
                    return CompletableFuture.failedFuture(e);
                }
                return CompletableFuture.completedFuture(lastPosition(channel));
        }
    }

    private synchronized StreamPosition lastPosition(String channel) {
        Stream s = streams.get(channel);
        return s == null ? null : new StreamPosition(s.epoch, s.next - 1);
    }

    /** Publishes waiting for {@link #releaseAcks()}. */
    int heldAcks() {
        synchronized (heldAcks) {
            return heldAcks.size();
        }
    }

    /** Delivers and acknowledges the held publishes, in order. */
    void releaseAcks() {
        List<Runnable> held;
        synchronized (heldAcks) {
            held = new ArrayList<>(heldAcks);
            heldAcks.clear();
        }
        held.forEach(Runnable::run);
    }

    /** Starts a new epoch on {@code channel}, as a bus that lost its history: what was kept is gone. */
    synchronized void newEpoch(String channel, String epoch) {
        Stream s = streams.get(channel);
        s.epoch = epoch;
        s.droppedUpTo = s.next - 1;
        s.kept.clear();
    }

    @Override
    public void subscribeStream(String channel, StreamHandler handler) {
        if (!Channels.isStream(channel)) {
            throw new IllegalArgumentException(channel + " is no stream");
        }
        streamHandlers.put(channel, handler);
    }

    /** History requests wait until {@link #releaseHistory()}, then are answered from the streams as they are then. */
    synchronized void holdHistory() {
        historyHeld = true;
    }

    /** Answers the held history requests, in order, and stops holding. */
    void releaseHistory() {
        List<Runnable> held;
        synchronized (this) {
            historyHeld = false;
            held = new ArrayList<>(heldHistory);
            heldHistory.clear();
        }
        held.forEach(Runnable::run);
    }

    /** History requests waiting for {@link #releaseHistory()}. */
    synchronized int heldHistoryRequests() {
        return heldHistory.size();
    }

    @Override
    public CompletableFuture<StreamHistory> history(String channel, StreamPosition after, int limit) {
        CompletableFuture<StreamHistory> f = new CompletableFuture<>();
        if (historyFailures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            f.completeExceptionally(new BusUnavailableException("in-memory bus: history failing by the test's wish"));
            return f;
        }
        if (emptyHistoryPages.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            StreamHistory h = read(channel, after, limit);
            f.complete(new StreamHistory(h.epoch(), List.of(), h.complete(), true));
            return f;
        }
        Runnable answer = () -> f.complete(read(channel, after, limit));
        synchronized (this) {
            if (historyHeld) {
                heldHistory.add(answer);
                return f;
            }
        }
        answer.run();
        return f;
    }

    private synchronized StreamHistory read(String channel, StreamPosition after, int limit) {
        historyRequests++;
        Stream s = streams.get(channel);
        long tail = s.next - 1 - (staleHistoryAnswers.getAndUpdate(n -> Math.max(0, n - 1)) > 0 ? hiddenNewest : 0);
        boolean sameEpoch = after == null || after.epoch().equals(s.epoch);
        long from = sameEpoch && after != null ? after.offset() : 0;
        boolean complete = sameEpoch && s.droppedUpTo <= from;
        List<StreamEvent> events = new ArrayList<>();
        boolean more = false;
        for (StreamEvent e : s.kept) {
            if (e.position().offset() <= from) {
                continue;
            }
            if (e.position().offset() > tail) {
                break;
            }
            if (events.size() == limit) {
                more = true;
                break;
            }
            events.add(e);
        }
        return new StreamHistory(s.epoch, events, complete, more);
    }

    @Override
    public boolean publishNeverBlocks() {
        return !mayWait;
    }

    @Override
    public void subscribe(String channel, Consumer<byte[]> handler) {
        handlers.put(channel, handler);
    }

    @Override
    public void subscribeExclusive(String channel, Consumer<byte[]> handler) {
        handlers.put(channel, handler);
    }

    @Override
    public boolean exclusiveHeld() {
        return true;
    }

    @Override
    public boolean isConnected() {
        return true;
    }

    @Override
    public String describe() {
        return "in-memory bus";
    }

    @Override
    public void close() {
        handlers.clear();
        streamHandlers.clear();
    }
}
