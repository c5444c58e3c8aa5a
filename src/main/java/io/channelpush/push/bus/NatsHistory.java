package io.channelpush.push.bus;

import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.JetStreamSubscription;
import io.nats.client.Message;
import io.nats.client.PullSubscribeOptions;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.DeliverPolicy;
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

/**
 * {@link MessageBus#history} of a {@link NatsBus}: reads the stream's info (epoch, first and last sequence), then
 * the messages after the position through an ephemeral pull consumer in memory (one fetch, at most
 * {@link #FETCH_WAIT}), deleted afterwards, up to the last message this node's own subscription of the stream
 * delivered when it has one (the rest reaches the node, and a recovering session, through that subscription, in
 * order and once). The consumer is on the stream's leader ({@link NatsPlacement}: a follower may hold other
 * messages at the same sequences). The page is whole: it has every message the stream holds from the
 * position on (a replica behind, or a leader that is not current yet, can lack some: such a page is read again),
 * and a request tries again while the stream has no leader, for at most {@link #WAIT}. Requests
 * run on {@link #THREADS} threads (mostly waiting for answers) with a queue of {@link #QUEUE} requests; beyond, a
 * request fails at once with {@link BusUnavailableException}. Thread-safe.
 */
final class NatsHistory implements AutoCloseable {
    static final int THREADS = 8;
    static final int QUEUE = 1_000;
    static final Duration FETCH_WAIT = Duration.ofSeconds(2);
    /** How long a request tries again while the stream has no leader or a replica behind answers with holes. */
    static final Duration WAIT = Duration.ofSeconds(20);
    static final Duration RETRY = Duration.ofMillis(250);

    private final NatsStreams streams;
    private final Function<String, StreamPosition> delivered;
    private final ThreadPoolExecutor exec;

    /**
     * @param delivered where this node's subscription of a stream channel is (null when it has none): history ends
     *     there, the rest reaches the node through that subscription
     */
    NatsHistory(NatsStreams streams, Function<String, StreamPosition> delivered) {
        this.streams = streams;
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
     * replica behind is soon readable again, and a page that would end before messages the stream holds must not
     * say so. After {@link #WAIT}, the last failure.
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
                        : after.offset()) + " could not be read whole (a replica catching up?)");
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
     * One page, read through an ephemeral consumer that JetStream places on any of the stream's replicas; null when
     * that replica lacks messages the stream holds (it is behind, e.g. catching up after a stall): its page has a
     * hole, or is empty although the stream's info says messages follow.
     */
    private StreamHistory read(NatsStreams.Stream s, StreamPosition after, int limit)
            throws IOException, JetStreamApiException {
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
        List<StreamEvent> events = new ArrayList<>(n);
        ConsumerConfiguration cc = ConsumerConfiguration.builder().deliverPolicy(DeliverPolicy.ByStartSequence)
                .startSequence(from).ackPolicy(AckPolicy.None).memStorage(true).numReplicas(1)
                .inactiveThreshold(Duration.ofSeconds(30)).build();
        JetStreamSubscription sub = onLeader(s, cc, NatsPlacement.leader(info));
        if (sub == null) {
            return null; // read again: no consumer landed on the leader
        }
        try {
            for (Message m : sub.fetch(n, FETCH_WAIT)) {
                events.add(new StreamEvent(new StreamPosition(epoch, m.metaData().streamSequence()), m.getData()));
            }
        } finally {
            drop(s, sub);
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
     * A pull subscription whose consumer is on the stream's {@code leader} (any server when null), or null when
     * {@link NatsPlacement#TRIES} consumers landed elsewhere: a follower may hold other messages at the same
     * sequences ({@link NatsPlacement}), with offsets that look whole.
     */
    private JetStreamSubscription onLeader(NatsStreams.Stream s, ConsumerConfiguration cc, String leader)
            throws IOException, JetStreamApiException {
        for (int i = 0; i < NatsPlacement.TRIES; i++) {
            JetStreamSubscription sub = streams.jetStream().subscribe(s.subject,
                    PullSubscribeOptions.builder().stream(s.name).configuration(cc).build());
            if (NatsPlacement.onLeader(sub, leader)) {
                return sub;
            }
            drop(s, sub);
        }
        return null;
    }

    private void drop(NatsStreams.Stream s, JetStreamSubscription sub) {
        String consumer = sub.getConsumerName();
        sub.unsubscribe();
        try {
            streams.management().deleteConsumer(s.name, consumer);
        } catch (IOException | JetStreamApiException | RuntimeException e) {
            // it goes by itself after its inactive threshold
        }
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
