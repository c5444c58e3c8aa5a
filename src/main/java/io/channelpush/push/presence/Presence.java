package io.channelpush.push.presence;

import io.channelpush.channel.log.RateLimitedLog;
import io.channelpush.push.bus.BusMessage;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A node's part in cluster presence. It announces the node on {@link io.channelpush.push.bus.Channels#NODES} every
 * heartbeat (and its departure on {@link #close}), keeps the {@link Membership} from what it hears, answers other
 * nodes' questions from this node's own connections (the {@code localAnswer} callback, on its own thread, never on
 * the bus thread), and asks questions of the whole cluster ({@link #ask}, which blocks its caller at most the wait
 * bound). Owns two threads (heartbeat, answers); the answer queue holds {@value #ANSWER_QUEUE} questions, beyond
 * which a question is dropped (its asker reports this node as missing). Thread-safe; closes idempotently.
 */
public final class Presence implements AutoCloseable {
    /** Questions waiting for this node's answer; beyond, dropped (the asker marks its answer partial). */
    static final int ANSWER_QUEUE = 256;
    /**
     * Cluster queries one node has waiting at once; beyond, {@link ScatterGather.Full} (the publisher's 503). Each
     * holds a servlet worker thread for up to the wait: 16 of the launcher's 64 leave the rest to other requests.
     */
    public static final int MAX_QUERIES_IN_FLIGHT = 16;

    private static final Logger LOG = Logger.getLogger(Presence.class.getName());

    private final String workerId;
    private final Membership members;
    private final ScatterGather gather;
    private final UnaryOperator<String> localAnswer;
    private final Consumer<BusMessage> publish;
    private final BiConsumer<Thread, Throwable> threadDied;
    private final ScheduledExecutorService heartbeat;
    private final ThreadPoolExecutor answers;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final RateLimitedLog dropped = new RateLimitedLog(LOG, Level.WARNING);

    /**
     * @param localAnswer this node's answer (JSON) to an encoded {@link PresenceQuestion}; null when the question is
     *     addressed to another node (nothing is sent)
     * @param publish publishes a bus message (may throw when the bus refuses it)
     * @param threadDied told when one of the two threads dies of an error (the node then stops: without heartbeats
     *     the others would stop counting it, without answers every query would be partial)
     */
    public Presence(String workerId, int heartbeatMillis, int timeoutMillis, int waitMillis,
                    UnaryOperator<String> localAnswer, Consumer<BusMessage> publish,
                    BiConsumer<Thread, Throwable> threadDied) {
        this.workerId = workerId;
        this.members = new Membership(TimeUnit.MILLISECONDS.toNanos(timeoutMillis));
        this.gather = new ScatterGather(MAX_QUERIES_IN_FLIGHT, TimeUnit.MILLISECONDS.toNanos(waitMillis));
        this.localAnswer = localAnswer;
        this.publish = publish;
        this.threadDied = threadDied;
        this.heartbeat = Executors.newSingleThreadScheduledExecutor(r -> thread(r, "presence-heartbeat-" + workerId));
        this.answers = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(ANSWER_QUEUE),
                r -> thread(r, "presence-answers-" + workerId), (r, e) -> dropped.log(() -> "worker " + workerId
                + ": " + ANSWER_QUEUE + " presence questions wait for an answer already; one dropped (its asker "
                + "reports this node as missing)"));
        heartbeat.scheduleAtFixedRate(this::beat, 0, heartbeatMillis, TimeUnit.MILLISECONDS);
    }

    private static Thread thread(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    private void beat() {
        try {
            publish.accept(new BusMessage.NodeBeat(workerId, false));
        } catch (RuntimeException e) {
            // the bus is down or full: other nodes stop counting this one after the timeout, as they should
            dropped.log(() -> "worker " + workerId + ": presence heartbeat not sent: " + e.getMessage());
        } catch (Error e) {
            threadDied.accept(Thread.currentThread(), e);
            throw e;
        }
    }

    /** A heartbeat or departure heard on the bus (bus thread). */
    public void heard(BusMessage.NodeBeat b) {
        if (b.leaving()) {
            members.left(b.workerId());
        } else {
            members.heard(b.workerId(), System.nanoTime());
        }
    }

    /** A question from a node (bus thread): answered on this node's answer thread. */
    public void asked(BusMessage.Query q) {
        if (closed.get()) {
            return;
        }
        answers.execute(() -> {
            try {
                String answer = localAnswer.apply(q.question());
                if (answer != null) { // null: the question is addressed to another node
                    publish.accept(new BusMessage.Reply(q.replyTo(), q.queryId(), workerId, answer));
                }
            } catch (RuntimeException e) {
                dropped.log(() -> "worker " + workerId + ": presence question from " + q.replyTo()
                        + " not answered: " + e.getMessage());
            } catch (Error e) {
                threadDied.accept(Thread.currentThread(), e);
                throw e;
            }
        });
    }

    /** An answer to one of this node's questions (bus thread). */
    public void answered(BusMessage.Reply r) {
        gather.answered(r.queryId(), r.from(), r.answer());
    }

    /** The nodes counted now (heard within the timeout), sorted. */
    public List<String> members() {
        return members.live(System.nanoTime());
    }

    /**
     * Asks every live node {@code q} and merges their answers (JSON).
     *
     * @throws ScatterGather.Full when {@value #MAX_QUERIES_IN_FLIGHT} queries wait already
     * @throws io.channelpush.push.bus.BusUnavailableException when the bus refuses the question
     */
    public String ask(PresenceQuestion q) throws InterruptedException {
        ScatterGather.Result r = gather.ask(members(), q.encode(), this::publishQuery);
        return PresenceMerge.merge(q, r);
    }

    private void publishQuery(long id, String question) {
        publish.accept(new BusMessage.Query(id, workerId, question));
    }

    /**
     * Asks node {@code node} alone {@code q} (a question addressed to it, {@link PresenceQuestion#isFor}) and
     * waits for its answer, at most the wait bound.
     *
     * @return its answer (JSON), or null when it did not answer in time
     * @throws ScatterGather.Full when {@value #MAX_QUERIES_IN_FLIGHT} queries wait already
     * @throws io.channelpush.push.bus.BusUnavailableException when the bus refuses the question
     */
    public String askNode(String node, PresenceQuestion q) throws InterruptedException {
        ScatterGather.Result r = gather.ask(List.of(node), q.encode(), this::publishQuery);
        return r.answers().get(node);
    }

    /**
     * Publishes a delivery with a report request and waits (at most the wait bound) for the count of every node in
     * {@code expected}; reports share the {@value #MAX_QUERIES_IN_FLIGHT} slots of presence queries.
     *
     * @param delivery a broadcast, targeted, group or user push
     * @return the merged report (JSON), see {@link PublishReport}
     * @throws ScatterGather.Full when {@value #MAX_QUERIES_IN_FLIGHT} queries or reports wait already
     * @throws io.channelpush.push.bus.BusUnavailableException when the bus refuses the publish
     */
    public String publishReported(BusMessage delivery, List<String> expected) throws InterruptedException {
        return publishReported(delivery, expected, publish);
    }

    /**
     * As {@link #publishReported(BusMessage, List)}, publishing the reported delivery with {@code publisher} (which
     * waits for the bus's acknowledgement and throws when the bus did not take it or its fate is unknown).
     */
    public String publishReported(BusMessage delivery, List<String> expected, Consumer<BusMessage> publisher)
            throws InterruptedException {
        ScatterGather.Result r = gather.ask(expected, "",
                (id, unused) -> publisher.accept(new BusMessage.Reported(delivery, id, workerId)));
        return PublishReport.merge(r);
    }

    /**
     * Tells node {@code to} that this node queued its reported delivery {@code reportId} to {@code count}
     * connections; sent from the answer thread (the bus thread calls this and must not wait on a publish).
     */
    public void report(String to, long reportId, int count) {
        if (closed.get()) {
            return;
        }
        answers.execute(() -> {
            try {
                publish.accept(new BusMessage.Reply(to, reportId, workerId, Integer.toString(count)));
            } catch (RuntimeException e) {
                dropped.log(() -> "worker " + workerId + ": publish report to " + to + " not sent: " + e.getMessage());
            } catch (Error e) {
                threadDied.accept(Thread.currentThread(), e);
                throw e;
            }
        });
    }

    /** Announces the departure (best effort), then stops both threads, waiting at most a second for each. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        heartbeat.shutdownNow();
        answers.shutdownNow();
        try {
            heartbeat.awaitTermination(1, TimeUnit.SECONDS);
            answers.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            publish.accept(new BusMessage.NodeBeat(workerId, true));
        } catch (RuntimeException e) {
            LOG.fine(() -> "worker " + workerId + ": departure not announced: " + e.getMessage());
        }
    }
}
