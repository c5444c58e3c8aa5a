package io.channelpush.push.bus;

import io.nats.client.Dispatcher;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamSubscription;
import io.nats.client.Message;
import io.nats.client.PushSubscribeOptions;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.DeliverPolicy;
import io.nats.client.api.StreamInfo;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One {@link MessageBus#subscribeStream} of a {@link NatsBus}: an ordered push consumer (ephemeral, no acks, flow
 * control and heartbeats, handled by jnats) on the stream, delivering on the bus's dispatcher thread. This class
 * does not rely on jnats' own recovery of ordered consumers: after every (re)connection, once the stream's info is
 * read ({@link NatsStreams}), it drops its consumer and creates a new one that starts right after the last sequence
 * handed to the handler, and it drops any message at or below that sequence, so a consumer of before the
 * reconnection that still delivers cannot cause a duplicate. When the epoch changed (the stream lost its history),
 * it logs the gap and starts at the new stream's first message; when the messages after the last one delivered are
 * gone (beyond retention), it logs how many. A consumer that jumps over sequences is dropped and created again after
 * the last message delivered until {@link ConsumerHoles} takes the hole for real (asked of the stream's leader, on
 * the dispatcher thread, at most twice {@link NatsStreams#API_TIMEOUT}): a replica that catches up after a stall may
 * reset its store while a consumer reads it, and that consumer then skips ahead without a gap in its own sequence,
 * which jnats does not see. {@link NatsJetStream}'s watchdog creates it again when it stays behind the stream without
 * progress ({@link #stuck}).
 *
 * <p>Thread-safe: {@link #ready} runs on the bus's setup thread, {@link #onMessage} on the dispatcher thread.
 */
final class NatsStreamReader {
    private static final Logger LOG = Logger.getLogger(NatsStreamReader.class.getName());

    /**
     * The consumer's idle heartbeat: jnats recreates a consumer that sent nothing for 3 of them (from the last
     * message it delivered), e.g. one on a server that died or stalls while this node's own server is fine.
     * jnats' default for ordered consumers is 5 s, that is 15 s without messages.
     */
    static final Duration HEARTBEAT = Duration.ofSeconds(1);

    private final NatsStreams.Stream stream;
    private final MessageBus.StreamHandler handler;
    private final ConsumerHoles holes; // dispatcher thread
    private final Runnable restart;
    private final Runnable restartLater;
    private String epoch; // guarded by this
    private long last; // the last sequence handed to the handler (or skipped to); guarded by this
    private int generation; // guarded by this
    private JetStreamSubscription subscription; // guarded by this
    private final CountDownLatch started = new CountDownLatch(1);
    private final long created = System.nanoTime();
    private volatile StreamPosition delivered;
    private final ConsumerProgress progress = new ConsumerProgress(); // guarded by this
    private static final long WARNING_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);
    private long lastFailureWarning = System.nanoTime() - WARNING_EVERY_NANOS; // on the setup thread only

    /**
     * @param holes decides what a consumer that jumps over sequences shows
     * @param restart reads the stream's info again and then calls {@link #ready} (on the setup thread)
     * @param restartLater the same after a short pause
     */
    NatsStreamReader(NatsStreams.Stream stream, MessageBus.StreamHandler handler, ConsumerHoles holes,
                     Runnable restart, Runnable restartLater) {
        this.stream = stream;
        this.handler = handler;
        this.holes = holes;
        this.restart = restart;
        this.restartLater = restartLater;
    }

    NatsStreams.Stream stream() {
        return stream;
    }

    /**
     * The stream's info after a (re)connection: (re)start the consumer. On the setup thread. The first start needs
     * info asked for after this reader was made: the stream's last sequence then is where it starts, and a read
     * begun earlier (a connection's, still under way when the subscriber came) may predate messages published
     * before {@link MessageBus#subscribeStream}, which would then reach the handler too. Such info is ignored: the
     * subscription's own refresh, queued behind it, brings later info.
     *
     * @param askedNanos {@link System#nanoTime} before {@code info} was asked for
     * @return false when the consumer could not be created (the caller tries again shortly)
     */
    boolean ready(StreamInfo info, long askedNanos, JetStream js, Dispatcher dispatcher) {
        String current = NatsStreams.epochOf(info);
        long first = info.getStreamState().getFirstSequence();
        long start;
        int gen;
        synchronized (this) {
            if (epoch == null && askedNanos - created < 0) {
                return true;
            }
            if (subscription != null) {
                try {
                    dispatcher.unsubscribe(subscription);
                } catch (RuntimeException e) {
                    LOG.fine(() -> "dropping the consumer of " + stream.name + ": " + e);
                }
                subscription = null;
            }
            if (epoch == null) {
                epoch = current;
                last = info.getStreamState().getLastSequence(); // a new subscriber starts with new messages
                delivered = new StreamPosition(epoch, last);
            } else if (!epoch.equals(current)) {
                LOG.warning("JetStream stream " + stream.name + " lost its history (epoch " + epoch + " became "
                        + current + "): what followed offset " + last + " of the old epoch and was not delivered "
                        + "is lost; continuing from the first message of the new epoch");
                epoch = current;
                last = 0;
                delivered = new StreamPosition(epoch, 0);
            } else if (first > last + 1 && info.getStreamState().getLastSequence() > last) {
                long lost = first - last - 1;
                LOG.warning("JetStream stream " + stream.name + " no longer holds " + lost + " message(s) after offset "
                        + last + " (beyond retention): this node missed them");
            }
            start = last + 1;
            gen = ++generation;
            progress.reset();
        }
        ConsumerConfiguration cc = ConsumerConfiguration.builder().deliverPolicy(DeliverPolicy.ByStartSequence)
                .startSequence(start).idleHeartbeat(HEARTBEAT).build();
        PushSubscribeOptions options = PushSubscribeOptions.builder().stream(stream.name).ordered(true)
                .configuration(cc).build();
        try {
            JetStreamSubscription sub = js.subscribe(stream.subject, dispatcher, m -> onMessage(gen, m), false, options);
            synchronized (this) {
                if (generation == gen) {
                    subscription = sub;
                    started.countDown();
                    return true;
                }
            }
            dispatcher.unsubscribe(sub);
            return true;
        } catch (IOException | JetStreamApiException | RuntimeException e) {
            // E.g. no JetStream meta leader yet after a server loss: the caller retries, at most a line a minute.
            long now = System.nanoTime();
            if (now - lastFailureWarning >= WARNING_EVERY_NANOS) {
                lastFailureWarning = now;
                LOG.warning("cannot consume JetStream stream " + stream.name + " (" + e.getMessage() + "); trying again");
            }
            return false;
        }
    }

    /**
     * The watchdog's check against the stream's info (read of its leader every {@link NatsJetStream#WATCH}): true
     * when the stream holds messages after the last one delivered and the consumer delivered nothing since the
     * previous check found it behind too. Such a consumer is dead (its server died or stalls, and jnats' own
     * re-creation of ordered consumers can keep failing on the name of the lost one) or reads a replica that does
     * not advance; it is then dropped here (its messages no longer reach the handler) and the caller creates a new
     * one after the last message delivered. Any thread.
     */
    synchronized boolean stuck(StreamInfo info) {
        if (subscription == null || epoch == null || !epoch.equals(NatsStreams.epochOf(info))) {
            progress.reset();
            return false;
        }
        if (!progress.stuck(last, info.getStreamState().getLastSequence())) {
            return false;
        }
        generation++;
        return true;
    }

    /** The last sequence handed to the handler (for logs and tests). */
    synchronized long last() {
        return last;
    }

    /** Waits until the first consumer exists: messages published after that reach the handler. */
    boolean awaitStarted(Duration timeout) throws InterruptedException {
        return started.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void onMessage(int gen, Message m) {
        long seq = m.metaData().streamSequence();
        long after;
        synchronized (this) {
            if (gen != generation || seq <= last) {
                return; // from a dropped consumer, or already delivered
            }
            after = last;
        }
        if (seq > after + 1 && after > 0) {
            ConsumerHoles.Verdict verdict = holes.jumped(after, System.nanoTime());
            if (verdict != ConsumerHoles.Verdict.SKIP) {
                if (verdict == ConsumerHoles.Verdict.READ_AGAIN) { // once per hole: a line per event
                    LOG.warning(() -> "JetStream consumer of " + stream.name + " jumped from offset " + after
                            + " to " + seq + "; consuming again after " + after + " until the stream's leader has "
                            + (after + 1) + " or says it is gone");
                }
                synchronized (this) {
                    if (gen == generation) {
                        generation++;
                    }
                }
                (verdict == ConsumerHoles.Verdict.READ_AGAIN ? restart : restartLater).run();
                return;
            }
            ConsumerHoles.Held answer = holes.lastAnswer();
            LOG.warning(() -> "JetStream stream " + stream.name + " skipped " + (seq - after - 1)
                    + " message(s) after offset " + after + (answer == ConsumerHoles.Held.BEYOND_RETENTION
                    ? " (beyond retention)" : ": its leader has said for " + holes.patience().toSeconds()
                    + " s that it lacks them although it holds later ones (deleted, or lost by JetStream)"));
        }
        StreamPosition position;
        synchronized (this) {
            if (gen != generation || seq <= last) {
                return;
            }
            last = seq;
            position = new StreamPosition(epoch, seq);
        }
        try {
            handler.onMessage(m.getData(), position);
        } catch (RuntimeException ex) {
            LOG.log(Level.WARNING, "handler of stream " + stream.channel + " failed", ex);
        }
        delivered = position;
    }

    /**
     * The position of the last message whose handler returned (where the subscription started, before the first
     * one), or null before the consumer's first start. Any thread.
     */
    StreamPosition delivered() {
        return delivered;
    }
}
