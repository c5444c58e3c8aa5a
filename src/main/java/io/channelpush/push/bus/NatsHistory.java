package io.channelpush.push.bus;

import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.Message;
import io.nats.client.api.StreamInfo;
import io.nats.client.api.StreamState;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * {@link MessageBus#history} of a {@link NatsBus}: reads the stream's info (epoch, first and last sequence), then
 * the messages after the position from the stream's leader ({@link NatsLeaderRead}, at most {@link #FETCH_WAIT}),
 * up to the last message this node's own subscription of the stream delivered when it has one (the rest reaches the
 * node, and a recovering session, through that subscription, in order and once). Only the leader is read: a
 * follower may hold other messages at the same sequences (nats-server 2.9.10: after a stall and a crash of another
 * server, one replica kept, for good, unacknowledged messages at sequences where the other two hold the
 * acknowledged ones that replaced them; see README). Neither step needs JetStream's meta leader, so a server that
 * resumes after a stall and deposes it does not hold histories up. The page is whole: it has every message the
 * stream holds from the position on (a leader not current yet can lack some: such a page is read again), and a
 * request tries again while the stream has no leader, for at most {@link #WAIT}. Requests run on {@link #THREADS}
 * threads (mostly waiting for answers) with a queue of {@link #QUEUE} requests; beyond, a request fails at once
 * with {@link BusUnavailableException}. Thread-safe.
 */
final class NatsHistory implements AutoCloseable {
    static final int THREADS = 8;
    static final int QUEUE = 1_000;
    static final Duration FETCH_WAIT = Duration.ofSeconds(2);
    /** How long a request tries again while the stream has no leader or a leader not current answers with holes. */
    static final Duration WAIT = Duration.ofSeconds(20);
    static final Duration RETRY = Duration.ofMillis(250);

    private final NatsStreams streams;
    private final Supplier<Connection> connection;
    private final Function<String, StreamPosition> delivered;
    private final ThreadPoolExecutor exec;

    /**
     * @param delivered where this node's subscription of a stream channel is (null when it has none): history ends
     *     there, the rest reaches the node through that subscription
     */
    NatsHistory(NatsStreams streams, Supplier<Connection> connection, Function<String, StreamPosition> delivered) {
        this.streams = streams;
        this.connection = connection;
        this.delivered = delivered;
        this.exec = new ThreadPoolExecutor(THREADS, THREADS, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(QUEUE),
                r -> {
                    Thread t = new Thread(r, "channelpush-nats-history");
                    t.setDaemon(true);
                    return t;
                });
    }

    CompletableFuture<StreamHistory> history(String channel, StreamPosition after, int limit) {
        NatsStreams.Stream s = streams.stream(channel);
        if (s == null) {
            throw new IllegalArgumentException("not a stream channel: " + channel);
        }
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be positive, got " + limit);
        }
        CompletableFuture<StreamHistory> result = new CompletableFuture<>();
        try {
            exec.execute(() -> {
                try {
                    result.complete(readWhole(s, after, limit));
                } catch (InterruptedException e) {
                    result.completeExceptionally(new BusUnavailableException("NATS bus closing"));
                } catch (IOException | JetStreamApiException | RuntimeException e) {
                    result.completeExceptionally(new BusUnavailableException("NATS JetStream history of " + s.name
                            + ": " + e.getMessage()));
                }
            });
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(new BusUnavailableException("NATS: " + QUEUE + " history requests waiting"));
        }
        return result;
    }

    /**
     * {@link #read}, again ({@link #RETRY} apart) while it fails or returns null, for at most {@link #WAIT}: a
     * stream without a leader (an election after a server's loss or stall takes nats-server 4 to 9 s) or with a
     * leader not current yet is soon readable again, and a page that would end before messages the stream holds
     * must not say so. After {@link #WAIT}, the last failure.
     */
    private StreamHistory readWhole(NatsStreams.Stream s, StreamPosition after, int limit)
            throws IOException, JetStreamApiException, InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            Exception failure;
            try {
                StreamHistory h = read(s, after, limit);
                if (h != null) {
                    return h;
                }
                failure = new BusUnavailableException("its messages after offset " + (after == null ? 0
                        : after.offset()) + " could not be read whole (a leader not current yet?)");
            } catch (IOException | JetStreamApiException | RuntimeException e) {
                failure = e;
            }
            if (System.nanoTime() + RETRY.toNanos() > deadline) {
                if (failure instanceof IOException io) {
                    throw io;
                }
                if (failure instanceof JetStreamApiException api) {
                    throw api;
                }
                throw (RuntimeException) failure;
            }
            TimeUnit.MILLISECONDS.sleep(RETRY.toMillis()); // pacing of retries while the stream has no leader
        }
    }

    /**
     * One page, read from the stream's leader; null when the server that answered lacks messages the stream holds
     * (a leader not current yet, e.g. just elected, or one that resumed after a stall and has not heard of its
     * successor): its page has a hole, or is empty although the stream's info says messages follow.
     */
    private StreamHistory read(NatsStreams.Stream s, StreamPosition after, int limit)
            throws IOException, JetStreamApiException, InterruptedException {
        JetStreamManagement jsm = streams.management();
        if (jsm == null) {
            throw new BusUnavailableException("not connected to NATS yet");
        }
        StreamInfo info = jsm.getStreamInfo(s.name);
        String epoch = NatsStreams.epochOf(info);
        StreamState state = info.getStreamState();
        boolean sameEpoch = after == null || after.epoch().equals(epoch);
        long from = sameEpoch && after != null ? after.offset() + 1 : Math.max(1, state.getFirstSequence());
        boolean complete = sameEpoch && (after == null || state.getFirstSequence() <= from
                || state.getMsgCount() == 0 && state.getLastSequence() < from);
        long last = state.getLastSequence();
        if (sameEpoch && after != null && after.offset() > last) {
            return null; // the reader had a later message than this info knows: a leader not yet current answered
        }
        StreamPosition live = delivered.apply(s.channel);
        if (live != null && live.epoch().equals(epoch) && live.offset() < last) {
            // What follows reaches this node through its subscription, which may be behind the stream (its consumer
            // was being recreated): a recovery replaying beyond it would get those messages again live.
            last = live.offset();
        }
        if (state.getMsgCount() == 0 || from > last) {
            return new StreamHistory(epoch, List.of(), complete, false);
        }
        from = Math.max(from, state.getFirstSequence());
        int n = (int) Math.min(limit, last - from + 1);
        Connection c = connection.get();
        if (c == null) {
            throw new BusUnavailableException("not connected to NATS yet");
        }
        List<StreamEvent> events = new ArrayList<>(n);
        for (Message m : NatsLeaderRead.read(c, s.name, from, n, NatsStreams.API_TIMEOUT, FETCH_WAIT)) {
            events.add(new StreamEvent(new StreamPosition(epoch, m.metaData().streamSequence()), m.getData()));
        }
        int whole = wholeUntil(events, from);
        if (whole < events.size()) {
            events = new ArrayList<>(events.subList(0, whole));
        }
        if (events.isEmpty()) {
            return null; // read again: if the messages expired meanwhile, the next info's first sequence says so
        }
        long lastRead = events.get(events.size() - 1).position().offset();
        return new StreamHistory(epoch, events, complete, lastRead < last);
    }

    /**
     * How many of {@code events} (read from {@code from}, at or after the stream's first sequence) are whole: up to
     * the first hole. The streams are only appended to and lose their oldest messages first, so a hole after the
     * first sequence is a replica behind (or a stale leader), not a gap: the rest is read again. (A message an
     * operator deleted by hand, {@code nats stream rmm}, makes the reads fail after {@link #WAIT}.)
     */
    private static int wholeUntil(List<StreamEvent> events, long from) {
        long expected = from;
        for (int i = 0; i < events.size(); i++) {
            if (events.get(i).position().offset() != expected) {
                return i;
            }
            expected++;
        }
        return events.size();
    }

    /** Stops the threads; a request that is running ends within its fetch wait. Idempotent. */
    @Override
    public void close() {
        exec.shutdownNow();
        try {
            exec.awaitTermination(FETCH_WAIT.toMillis() + 1_000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
