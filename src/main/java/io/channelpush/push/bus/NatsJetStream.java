package io.channelpush.push.bus;

import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.api.StreamInfo;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * What a {@link NatsBus} owns for JetStream: its threads ({@code channelpush-nats-streams} for stream set-up and
 * publish timeouts, {@code channelpush-nats-flush} for {@link NatsCoreAcks}), the {@link NatsStreams}, the
 * {@link NatsHistory} and one {@link NatsStreamReader} per stream subscription. Thread-safe; closes idempotently,
 * waiting a bounded time for its threads.
 */
final class NatsJetStream implements AutoCloseable {
    final NatsStreams streams;
    final NatsHistory history;
    private final ScheduledExecutorService streamExec = Executors.newSingleThreadScheduledExecutor(
            r -> daemon(r, "channelpush-nats-streams"));
    private final ExecutorService flushExec = Executors.newSingleThreadExecutor(r -> daemon(r, "channelpush-nats-flush"));
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
                new NatsCoreAcks(flushExec, NatsStreams.API_TIMEOUT), this::streamReady);
        this.history = new NatsHistory(streams, this::delivered);
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
        NatsStreamReader reader = new NatsStreamReader(s, handler, seq -> streams.stores(s, seq),
                () -> streams.refresh(s));
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

    private void streamReady(NatsStreams.Stream s, StreamInfo info) {
        NatsStreamReader reader;
        synchronized (this) {
            reader = readers.get(s.channel);
        }
        Dispatcher d = dispatcher.get();
        if (reader != null && d != null && !reader.ready(info, streams.jetStream(), d)) {
            streams.refreshLater(s);
        }
    }

    @Override
    public void close() {
        streams.close();
        streamExec.shutdownNow();
        flushExec.shutdownNow();
        history.close();
        try {
            streamExec.awaitTermination(NatsStreams.API_TIMEOUT.toMillis() + 1_000, TimeUnit.MILLISECONDS);
            flushExec.awaitTermination(NatsStreams.API_TIMEOUT.toMillis() + 1_000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
