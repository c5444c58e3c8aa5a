package io.channelpush.push.bus;

import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.JetStreamOptions;
import io.nats.client.api.DiscardPolicy;
import io.nats.client.api.RetentionPolicy;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.api.StreamInfo;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * The JetStream side of a {@link NatsBus}: the streams of {@link Channels#isStream} channels, their epochs, and
 * acknowledged publishes ({@link NatsStreamPublishes}).
 *
 * <p>Streams: {@code CHANNELPUSH_B} holds subject {@code channelpush.b}, {@code CHANNELPUSH_G} {@code channelpush.g},
 * {@code CHANNELPUSH_U} {@code channelpush.u} (one stream per channel, so that a channel's offsets are its stream's sequence numbers). On every (re)connection
 * the node reads each stream's info, creates the stream from {@link NatsStreamSettings} when it is missing, and
 * refuses one that cannot keep the guarantee (other subjects, retention other than limits, memory storage, discard
 * new, no acks, sealed, a mirror), with a SEVERE line telling the operator how to fix it; publishes to it then fail
 * as unavailable. Limits that differ from the settings are kept and logged: the stream belongs to the cluster, not to
 * one node.
 *
 * <p>Epoch: the stream's creation time as JetStream reports it (ISO-8601, to the nanosecond). A stream whose store
 * was lost is created again, so its epoch changes and its sequence starts again at 1; a restart on the same store,
 * or a move of the stream's leadership in a cluster, keeps it (the creation time is part of the replicated stream
 * assignment). Chosen over a marker of our own because JetStream keeps it for us and every node reads the same one.
 *
 * <p>Thread-safe. Setup requests run on one thread of {@code exec}; publish futures complete on jnats' threads or
 * on {@code exec}.
 */
final class NatsStreams {
    private static final Logger LOG = Logger.getLogger(NatsStreams.class.getName());
    static final Duration API_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration RETRY = Duration.ofMillis(500);
    private static final long RETRY_WARNING_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);
    /** JetStream's API error code for a sequence the stream does not hold. */
    static final int NO_MESSAGE_FOUND = 10037;
    /** JetStream's API error code for "JetStream system temporarily unavailable": the server sees no meta leader. */
    static final int CLUSTER_NOT_AVAILABLE = 10008;

    /** One stream channel's stream and what this node knows of it. */
    static final class Stream {
        final String channel;
        final String name;
        final String subject;
        /** Null until the stream's info was read after the latest (re)connection. Guarded by NatsStreams.this. */
        private String epoch;
        /** Why the node does not use the stream, or null. Guarded by NatsStreams.this. */
        private RuntimeException refused;
        /** Publishes (and answers) waiting for the epoch, in call order. Guarded by NatsStreams.this. */
        private final ArrayDeque<BiConsumer<String, RuntimeException>> waiting = new ArrayDeque<>();
        /** The last epoch known, kept across reconnections. Guarded by NatsStreams.this. */
        private String lastEpoch;
        final AtomicLong highestAcked = new AtomicLong();

        Stream(String channel) {
            this.channel = channel;
            this.name = "CHANNELPUSH_" + channel.toUpperCase(Locale.ROOT);
            this.subject = NatsSubjects.subject(channel);
        }
    }

    private final Map<String, Stream> streams = Map.of(Channels.BROADCAST, new Stream(Channels.BROADCAST),
            Channels.GROUPS, new Stream(Channels.GROUPS), Channels.USERS, new Stream(Channels.USERS));
    private final NatsStreamSetup setupRules;
    private final ScheduledExecutorService exec;
    private final Ready onReady;
    private final NatsStreamPublishes publishes;

    /** Told of a stream's info read after a (re)connection or a {@link #refresh}. */
    interface Ready {
        /** @param askedNanos {@link System#nanoTime} before the info was asked for: it may be older than a caller */
        void ready(Stream s, StreamInfo info, long askedNanos);
    }
    private final AtomicLong lastRetryWarning = new AtomicLong(System.nanoTime() - RETRY_WARNING_EVERY_NANOS);
    private final Supplier<Connection> connection;
    private final JetStreamSilence silence = new JetStreamSilence(JetStreamSilence.LIMIT, JetStreamSilence.MAX_LIMIT,
            System.nanoTime());
    private final Runnable reconnect;
    private volatile JetStream js;
    private volatile JetStreamManagement jsm;

    /**
     * @param maxPendingBytes bytes of acknowledged publishes awaiting their answer; beyond, publishes are refused
     * @param onReady told on {@code exec} each time a stream's info was read after a (re)connection
     * @param reconnect asks for a new connection without blocking ({@link JetStreamSilence})
     */
    NatsStreams(NatsStreamSettings settings, long maxPendingBytes, ScheduledExecutorService exec,
                Supplier<Connection> connection, NatsCoreAcks coreAcks, Ready onReady, Runnable reconnect) {
        this.connection = connection;
        this.reconnect = reconnect;
        this.setupRules = new NatsStreamSetup(settings);
        this.exec = exec;
        this.onReady = onReady;
        this.publishes = new NatsStreamPublishes(this, maxPendingBytes, exec, connection, coreAcks);
    }

    Stream stream(String channel) {
        return streams.get(channel);
    }

    /** The connection's JetStream context, made on first use; null before the first connection. */
    JetStream jetStream() {
        apis();
        return js;
    }

    /** The connection's JetStream management context, made on first use; null before the first connection. */
    JetStreamManagement management() {
        apis();
        return jsm;
    }

    private synchronized void apis() {
        Connection c = connection.get();
        if (jsm != null || c == null) {
            return;
        }
        try {
            JetStreamOptions o = JetStreamOptions.builder().requestTimeout(API_TIMEOUT).build();
            js = c.jetStream(o);
            jsm = c.jetStreamManagement(o);
        } catch (IOException e) {
            LOG.fine(() -> "no JetStream context yet: " + e);
        }
    }

    /**
     * What the stream's leader says of message {@code seq}, each question answered within {@link #API_TIMEOUT}:
     * {@link ConsumerHoles.Held#UNKNOWN} when it cannot be told (no answer, not connected).
     */
    ConsumerHoles.Held held(Stream s, long seq) {
        JetStreamManagement m = management();
        if (m == null) {
            return ConsumerHoles.Held.UNKNOWN;
        }
        try {
            m.getMessage(s.name, seq);
            return ConsumerHoles.Held.STORED;
        } catch (JetStreamApiException e) {
            if (e.getApiErrorCode() != NO_MESSAGE_FOUND) {
                return ConsumerHoles.Held.UNKNOWN;
            }
        } catch (IOException | RuntimeException e) {
            return ConsumerHoles.Held.UNKNOWN;
        }
        try {
            return m.getStreamInfo(s.name).getStreamState().getFirstSequence() > seq
                    ? ConsumerHoles.Held.BEYOND_RETENTION : ConsumerHoles.Held.MISSING;
        } catch (IOException | JetStreamApiException | RuntimeException e) {
            return ConsumerHoles.Held.UNKNOWN;
        }
    }

    /** Publishes awaiting their acknowledgement, in bytes (for metrics). */
    long pendingBytes() {
        return publishes.pendingBytes();
    }

    /** {@link MessageBus#publishAcked}, through {@link NatsStreamPublishes}. */
    CompletableFuture<StreamPosition> publishAcked(String channel, byte[] payload, Duration timeout) {
        return publishes.publishAcked(channel, payload, timeout);
    }

    /** The JetStream context, without making it: set by the {@link #management()} that read any stream's epoch. */
    JetStream context() {
        return js;
    }

    /** The connection is (again) up: read or create every stream, then tell {@code onReady}. */
    void connected() {
        silence.connected(System.nanoTime());
        for (Stream s : streams.values()) {
            synchronized (this) {
                s.epoch = null;
                s.refused = null;
            }
            refresh(s);
        }
    }

    /**
     * What came of one of this node's JetStream requests ({@code error} null: served), for {@link JetStreamSilence}:
     * an API error other than {@link #CLUSTER_NOT_AVAILABLE} is served too; no answer, "no responders" and 10008
     * are not. When JetStream has served nothing for the silence's limit while connected, says so and reconnects.
     *
     * @param what the request, for the log line
     */
    void served(Throwable error, String what) {
        Throwable e = cause(error);
        if (e == null || e instanceof JetStreamApiException api && api.getApiErrorCode() != CLUSTER_NOT_AVAILABLE) {
            silence.served(System.nanoTime());
            return;
        }
        Connection c = connection.get();
        if (c == null || c.getStatus() != Connection.Status.CONNECTED || exec.isShutdown()) {
            return; // not silence: the connection is down, or the bus closes
        }
        long silent = silence.notServed(System.nanoTime());
        if (silent >= 0) {
            LOG.warning(() -> "NATS JetStream has served none of this node's requests for "
                    + TimeUnit.NANOSECONDS.toSeconds(silent) + " s although the connection to " + c.getConnectedUrl()
                    + " is up (last: " + what + ", " + e.getMessage() + "); reconnecting, to the next server and "
                    + "with a new subscription to JetStream's answers. If this repeats, check the NATS servers' "
                    + "routes and JetStream's meta leader (nats server report jetstream); next try after "
                    + silence.limit().toSeconds() + " s of silence");
            reconnect.run();
        }
    }

    /** {@link #served(Throwable, String)} of a request that was answered. */
    void served() {
        silence.served(System.nanoTime());
    }

    /** What a jnats future failed with: its cause when it is wrapped in a {@link CompletionException}. */
    static Throwable cause(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    }

    /** Reads the stream's info again (and tells {@code onReady}), e.g. for a new subscriber. */
    void refresh(Stream s) {
        try {
            exec.execute(() -> setup(s));
        } catch (RejectedExecutionException e) {
            // closed
        }
    }

    /** Fails the publishes still waiting for a stream's epoch: the bus is closing. */
    void close() {
        for (Stream s : streams.values()) {
            settle(s, null, new BusUnavailableException("NATS bus is closed"));
        }
    }

    /** {@link #refresh} after a short while. */
    void refreshLater(Stream s) {
        try {
            exec.schedule(() -> setup(s), RETRY.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // closed
        }
    }

    /** Runs {@code then} with the stream's epoch (or why it is refused) now, or once known, in call order. */
    synchronized void withEpoch(Stream s, BiConsumer<String, RuntimeException> then) {
        if ((s.epoch != null || s.refused != null) && s.waiting.isEmpty()) {
            then.accept(s.epoch, s.refused);
        } else {
            s.waiting.add(then);
        }
    }

    /** The stream was created again behind this node's back: its epoch is unknown until {@link #refresh}. */
    synchronized void forgetEpoch(Stream s) {
        s.epoch = null;
    }

    private synchronized void settle(Stream s, String epoch, RuntimeException refused) {
        if (epoch != null && s.lastEpoch != null && !epoch.equals(s.lastEpoch)) {
            s.highestAcked.set(0); // a new stream: its sequences start again
        }
        if (epoch != null) {
            s.lastEpoch = epoch;
        }
        s.epoch = epoch;
        s.refused = refused;
        // Under the lock, so that a publish made meanwhile cannot overtake the waiting ones.
        for (BiConsumer<String, RuntimeException> w; (w = s.waiting.poll()) != null; ) {
            w.accept(epoch, refused);
        }
    }

    private void setup(Stream s) {
        Connection c = connection.get();
        if (exec.isShutdown() || c == null || c.getStatus() != Connection.Status.CONNECTED) {
            return; // the next connection event starts it again
        }
        StreamInfo info;
        long asked = System.nanoTime();
        try {
            JetStreamManagement m = management();
            if (m == null) {
                throw new IOException("no JetStream context");
            }
            info = setupRules.describe(m, s);
        } catch (NatsStreamSetup.StreamRefusedException e) {
            served();
            LOG.severe(e.getMessage());
            settle(s, null, new BusUnavailableException(e.getMessage()));
            return;
        } catch (IOException | JetStreamApiException | RuntimeException e) {
            if (exec.isShutdown()) {
                return; // closing: the request was interrupted, nothing to retry or report
            }
            served(e, "the set-up of stream " + s.name);
            long now = System.nanoTime();
            long last = lastRetryWarning.get();
            if (now - last >= RETRY_WARNING_EVERY_NANOS && lastRetryWarning.compareAndSet(last, now)) {
                LOG.warning("NATS JetStream stream " + s.name + " not reachable (" + e.getMessage() + "); retrying. "
                        + "Is JetStream enabled on the servers (nats-server -js) and may this node's NATS user use "
                        + "$JS.API.>?");
            }
            refreshLater(s);
            return;
        }
        served();
        settle(s, epochOf(info), null);
        onReady.ready(s, info, asked);
    }

    /** The stream's epoch ({@link NatsStreams}: its creation time). */
    static String epochOf(StreamInfo info) {
        return info.getCreateTime().toInstant().toString();
    }
}
