package io.channelpush.push.bus;

import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.api.StreamInfo;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * What a {@link NatsBus} owns for JetStream: its threads ({@code channelpush-nats-streams} for stream set-up and
 * publish timeouts, {@code channelpush-nats-flush} for {@link NatsCoreAcks}, {@code channelpush-nats-watch} for
 * the consumers' watchdog, {@link #WATCH}, and {@code channelpush-nats-reconnect}, started when JetStream stays
 * silent, {@link JetStreamSilence}), the {@link NatsStreams}, the
 * {@link NatsHistory} and one {@link NatsStreamReader} per stream subscription. Thread-safe; closes idempotently,
 * waiting a bounded time for its threads.
 */
final class NatsJetStream implements AutoCloseable {
    final NatsStreams streams;
    final NatsHistory history;
    private final ScheduledExecutorService streamExec = Executors.newSingleThreadScheduledExecutor(
            r -> daemon(r, "channelpush-nats-streams"));
    private final ExecutorService flushExec = Executors.newSingleThreadExecutor(r -> daemon(r, "channelpush-nats-flush"));
    private final ScheduledExecutorService watchExec = Executors.newSingleThreadScheduledExecutor(
            r -> daemon(r, "channelpush-nats-watch"));
    /** Runs jnats' forceReconnect, which blocks until connected again; its thread starts with the first one. */
    private final ExecutorService reconnectExec = Executors.newSingleThreadExecutor(
            r -> daemon(r, "channelpush-nats-reconnect"));
    /**
     * How often each stream subscription is compared with its stream ({@link NatsStreamReader#stuck}): a consumer
     * that stays behind for two checks in a row is created again, so a live message waits at most about twice this
     * (plus the stream's election) for a consumer that died with its server.
     */
    static final Duration WATCH = Duration.ofSeconds(2);
    static final Duration SUBSCRIBE_WAIT = Duration.ofSeconds(5);
    private static final Logger LOG = Logger.getLogger(NatsJetStream.class.getName());

    private final Supplier<Dispatcher> dispatcher;
    private final Supplier<Connection> connection;
    private final Map<String, NatsStreamReader> readers = new LinkedHashMap<>(); // by channel; guarded by this

    NatsJetStream(NatsStreamSettings settings, long bufferBytes, Supplier<Connection> connection,
                  Supplier<Dispatcher> dispatcher) {
        this.dispatcher = dispatcher;
        this.connection = connection;
        this.streams = new NatsStreams(settings, bufferBytes, streamExec, connection,
                new NatsCoreAcks(flushExec, NatsStreams.API_TIMEOUT), this::streamReady, this::reconnect);
        this.history = new NatsHistory(streams, connection, this::delivered);
        watchExec.scheduleWithFixedDelay(this::watch, WATCH.toMillis(), WATCH.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** On the watch thread: restarts the consumers that are behind their stream without progress. */
    private void watch() {
        List<NatsStreamReader> all;
        synchronized (this) {
            all = List.copyOf(readers.values());
        }
        Connection c = connection.get();
        JetStreamManagement m = streams.management();
        if (all.isEmpty() || m == null || c == null || c.getStatus() != Connection.Status.CONNECTED) {
            return;
        }
        for (NatsStreamReader reader : all) {
            NatsStreams.Stream s = reader.stream();
            StreamInfo info;
            try {
                info = m.getStreamInfo(s.name);
                streams.served();
            } catch (IOException | JetStreamApiException | RuntimeException e) {
                streams.served(e, "the info of stream " + s.name);
                continue; // no leader now (an election): nothing new to read either
            }
            if (reader.stuck(info)) {
                LOG.warning(() -> "JetStream consumer of " + s.name + " delivered nothing for " + WATCH.toSeconds()
                        + " s although the stream holds messages after offset " + reader.last() + " (up to "
                        + info.getStreamState().getLastSequence() + "); consuming again from there");
                streams.refresh(s);
            }
        }
    }

    /** A new connection, asked of jnats on the reconnect thread, which blocks until jnats is connected again. */
    private void reconnect() {
        Connection c = connection.get();
        if (c == null) {
            return;
        }
        try {
            reconnectExec.execute(() -> {
                try {
                    c.forceReconnect();
                } catch (IOException e) {
                    LOG.warning(() -> "NATS reconnect failed: " + e.getMessage() + "; jnats keeps trying");
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt(); // the bus closes
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closed
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /**
     * {@link MessageBus#subscribeStream}. While connected, waits up to {@link #SUBSCRIBE_WAIT} for the consumer, so
     * that what is published after this returns reaches the handler (as {@link NatsBus#subscribe} waits for its
     * flush); otherwise the consumer starts on connection, with the messages published from then on.
     */
    void subscribe(String channel, MessageBus.StreamHandler handler) {
        NatsStreams.Stream s = streams.stream(channel);
        if (s == null) {
            throw new IllegalArgumentException("not a stream channel: " + channel);
        }
        NatsStreamReader reader = new NatsStreamReader(s, handler,
                new ConsumerHoles(seq -> streams.held(s, seq), ConsumerHoles.PATIENCE), () -> streams.refresh(s),
                () -> streams.refreshLater(s));
        synchronized (this) {
            if (readers.putIfAbsent(channel, reader) != null) {
                throw new IllegalArgumentException("already subscribed to stream " + channel);
            }
        }
        streams.refresh(s);
        Connection c = connection.get();
        if (c != null && c.getStatus() == Connection.Status.CONNECTED) {
            try {
                if (!reader.awaitStarted(SUBSCRIBE_WAIT)) {
                    LOG.warning(() -> "no JetStream consumer of " + s.name + " within " + SUBSCRIBE_WAIT.toMillis()
                            + " ms; it starts as soon as the stream answers");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Where this node's subscription of a stream channel is, or null when it has none or delivered nothing. */
    StreamPosition delivered(String channel) {
        NatsStreamReader reader;
        synchronized (this) {
            reader = readers.get(channel);
        }
        return reader == null ? null : reader.delivered();
    }

    private void streamReady(NatsStreams.Stream s, StreamInfo info, long askedNanos) {
        NatsStreamReader reader;
        synchronized (this) {
            reader = readers.get(s.channel);
        }
        Dispatcher d = dispatcher.get();
        if (reader != null && d != null && !reader.ready(info, askedNanos, streams.jetStream(), d)) {
            streams.refreshLater(s);
        }
    }

    @Override
    public void close() {
        streams.close();
        watchExec.shutdownNow();
        streamExec.shutdownNow();
        flushExec.shutdownNow();
        reconnectExec.shutdownNow();
        history.close();
        try {
            streamExec.awaitTermination(NatsStreams.API_TIMEOUT.toMillis() + 1_000, TimeUnit.MILLISECONDS);
            flushExec.awaitTermination(NatsStreams.API_TIMEOUT.toMillis() + 1_000, TimeUnit.MILLISECONDS);
            watchExec.awaitTermination(NatsStreams.API_TIMEOUT.toMillis() + 1_000, TimeUnit.MILLISECONDS);
            reconnectExec.awaitTermination(NatsStreams.API_TIMEOUT.toMillis() + 1_000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
