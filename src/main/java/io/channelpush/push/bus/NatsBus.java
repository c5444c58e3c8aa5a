package io.channelpush.push.bus;

import io.nats.client.Connection;
import io.nats.client.ConnectionListener;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.api.ServerInfo;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * {@link MessageBus} over NATS, through one jnats {@link Connection}. Each channel is a subject
 * ({@link NatsSubjects}: {@link Channels#BROADCAST} is {@code channelpush.b}).
 *
 * <p>Streams: the {@link Channels#isStream} channels are also kept by JetStream, one stream per channel
 * ({@link NatsStreams}: names, configuration, epoch = the stream's creation time, offset = its sequence).
 * {@link #publishAcked} answers once JetStream stored the message; {@link #subscribeStream} consumes the stream and
 * resumes after any loss of the server ({@link NatsStreamReader}); {@link #history} reads it ({@link NatsHistory}).
 * The servers must run JetStream ({@code nats-server -js}); without it, publishes to stream channels answer
 * unavailable and a warning says why once a minute. Plain {@link #subscribe} and {@link #publish} stay NATS core.
 *
 * <p>Delivery: every subscription (stream ones too) runs on one jnats {@link io.nats.client.Dispatcher}, that is
 * one thread ({@link NatsSubscriptions}), so handlers run one at a time and in publish order per publisher, as with
 * the channel daemon. The dispatcher's queue is bounded by jnats' pending limits (524,288 messages or 64 MiB);
 * beyond them NATS drops messages for this node, which is logged as a slow consumer. NATS core is at-most-once:
 * messages published while this node is disconnected are not delivered to it later (stream subscriptions get them
 * on reconnection).
 *
 * <p>Connection: the servers are tried in the order given; the connection is made in the background and kept
 * forever (a new attempt every 250 ms, jittered). A closed socket is noticed at once, a silent server (stalled,
 * or a network that drops packets) by pings every second within 2 to 3 s. While disconnected, publishes wait in
 * jnats' reconnect buffer of {@code bufferBytes} and are sent, after the subscriptions, on reconnect; a publish that
 * does not fit throws {@link BusUnavailableException}.
 *
 * <p>Authentication and TLS: {@link NatsSecurity}. Credentials the server refuses leave the bus disconnected and
 * retrying, with a SEVERE log line naming the setting at most once a minute; URLs are logged without credentials.
 *
 * <p>Thread-safe. The connection, its dispatcher, the subscriptions, the claim and the closed flag share one lock,
 * {@link NatsSubscriptions}'s, whose invariants it states (each handler and the claim started exactly once, nothing
 * dispatched after the close); the connected flags are atomic; publishes read the connection without a lock. Listener
 * calls arrive on jnats' callback thread, one at a time.
 */
public final class NatsBus implements MessageBus {
    private static final Logger LOG = Logger.getLogger(NatsBus.class.getName());

    static final Duration RECONNECT_WAIT = Duration.ofMillis(250);
    static final Duration RECONNECT_JITTER = Duration.ofMillis(100);
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    static final Duration PING_INTERVAL = Duration.ofSeconds(1);
    static final int MAX_PINGS_OUT = 2;

    private final String servers;
    private final Listener listener;
    private final AtomicBoolean connected = new AtomicBoolean();
    private final AtomicBoolean everConnected = new AtomicBoolean();
    /** The connection, the dispatcher and what runs on it, the claim, closed: the bus's one lock is theirs. */
    private final NatsSubscriptions subscriptions;

    private final NatsSecurity security;
    private final NatsErrors errors;

    private final NatsJetStream jetStream;

    private NatsBus(String servers, String connectionName, NatsSecurity security, NatsStreamSettings streamSettings,
                    long bufferBytes, Listener listener) {
        this.servers = servers;
        this.security = security;
        this.errors = new NatsErrors(security);
        this.listener = listener;
        this.subscriptions = new NatsSubscriptions(connectionName, listener);
        this.jetStream = new NatsJetStream(streamSettings, bufferBytes, subscriptions::connection,
                subscriptions::dispatcher);
    }

    /** {@link #connect(List, String, long, NatsSecurity, Listener)} without authentication or TLS settings. */
    public static NatsBus connect(List<URI> servers, String connectionName, long bufferBytes, Listener listener) {
        return connect(servers, connectionName, bufferBytes, NatsSecurity.NONE, listener);
    }

    /**
     * Starts connecting and waits up to about one connection timeout for the first attempt, so that on a reachable
     * server the subscriptions made right after this returns are in place when {@link #subscribe} returns. An
     * unreachable server is not an error: the bus keeps trying and reports {@link Listener#onConnected} later.
     *
     * @param servers from {@link #parseServers(String)}
     * @param connectionName shown by the NATS server's monitoring
     * @param bufferBytes publishes held while disconnected; beyond it publish throws {@link BusUnavailableException}
     * @param security authentication and TLS
     */
    public static NatsBus connect(List<URI> servers, String connectionName, long bufferBytes, NatsSecurity security,
                                  Listener listener) {
        return connect(servers, connectionName, bufferBytes, security, NatsStreamSettings.DEFAULTS, listener);
    }

    /**
     * As {@link #connect(List, String, long, NatsSecurity, Listener)}, creating missing JetStream streams with
     * {@code streamSettings}; {@code bufferBytes} also bounds the acknowledged publishes awaiting their answer.
     */
    public static NatsBus connect(List<URI> servers, String connectionName, long bufferBytes, NatsSecurity security,
                                  NatsStreamSettings streamSettings, Listener listener) {
        if (servers.isEmpty()) {
            throw new IllegalArgumentException("no NATS server given");
        }
        NatsBus bus = new NatsBus(NatsSecurity.redact(servers), connectionName, security, streamSettings, bufferBytes,
                listener);
        Options options = NatsServers.options(servers, connectionName, bufferBytes, security, bus::onConnectionEvent,
                bus.errors);
        try {
            Nats.connectAsynchronously(options, true);
            if (!bus.subscriptions.awaitAttached(CONNECT_TIMEOUT.toMillis() + 1_000)) {
                LOG.warning(() -> "no answer yet from NATS " + bus.servers + "; still trying");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return bus;
    }

    /** {@link NatsServers#parse}. */
    public static List<URI> parseServers(String list) {
        return NatsServers.parse(list);
    }

    @Override
    public void publish(String channel, byte[] payload) {
        Connection c = subscriptions.connection();
        if (c == null) {
            throw new BusUnavailableException(subscriptions.isClosed() ? "NATS bus is closed"
                    : "not connected to NATS " + servers + " yet");
        }
        try {
            c.publish(NatsSubjects.subject(channel), payload);
        } catch (IllegalStateException e) {
            // Reconnect buffer or outgoing queue full, or the connection is closed.
            throw new BusUnavailableException("NATS: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            // Larger than the server's max_payload.
            throw new BusUnavailableException("NATS refused the message: " + e.getMessage());
        }
    }

    /**
     * Stream channels: a JetStream publish, pipelined, answered by JetStream once the stream's leader stored it (on
     * a majority of its replicas). Other channels: a core publish confirmed by a flush ({@link NatsCoreAcks}).
     * Refused at once (BusUnavailableException) while disconnected or when {@code bufferBytes} of publishes await
     * their answer; PublishOutcomeUnknownException when sent but not answered within {@code timeout}.
     */
    @Override
    public CompletableFuture<StreamPosition> publishAcked(String channel, byte[] payload, Duration timeout) {
        return jetStream.streams.publishAcked(channel, payload, timeout);
    }

    /** Delivers on the dispatcher thread, as {@link #subscribe}; resumes as {@link NatsStreamReader} says. */
    @Override
    public void subscribeStream(String channel, StreamHandler handler) {
        jetStream.subscribe(channel, handler);
    }

    /** The stream reader's position ({@link NatsStreamReader#delivered}): cached, never a request to the server. */
    @Override
    public StreamPosition streamPosition(String channel) {
        return jetStream.delivered(channel);
    }

    @Override
    public CompletableFuture<StreamHistory> history(String channel, StreamPosition after, int limit) {
        return jetStream.history.history(channel, after, limit);
    }

    /** Publishes awaiting their acknowledgement from NATS, in bytes (for metrics). */
    public long pendingAckBytes() {
        return jetStream.streams.pendingBytes();
    }

    /** jnats waits up to its request-cleanup interval (5 s) for room in a full outgoing queue. */
    @Override
    public boolean publishNeverBlocks() {
        return false;
    }

    /** Delivers on the dispatcher thread; a handler that throws is logged ({@link NatsSubscriptions#subscribe}). */
    @Override
    public void subscribe(String channel, Consumer<byte[]> handler) {
        subscriptions.subscribe(channel, handler);
    }

    /** The channel is delivered only while this node holds it ({@link NatsClaim}: a probe on a claim subject). */
    @Override
    public void subscribeExclusive(String channel, Consumer<byte[]> handler) {
        subscriptions.subscribeExclusive(channel, handler);
    }

    @Override
    public boolean exclusiveHeld() {
        return subscriptions.exclusiveHeld();
    }

    @Override
    public boolean isConnected() {
        Connection c = subscriptions.connection();
        return c != null && c.getStatus() == Connection.Status.CONNECTED;
    }

    /** The connection jnats reported in its first event, or null before it (what a failing test reports). */
    Connection connection() {
        return subscriptions.connection();
    }

    @Override
    public String describe() {
        return "nats " + servers;
    }

    /** Times NATS reported this node as a slow consumer (messages dropped), since start. */
    public long slowConsumerEvents() {
        return errors.slowConsumerEvents();
    }

    /**
     * Closes the claim, the streams, then the connection, which stops reconnecting and the dispatcher thread.
     * Idempotent.
     */
    @Override
    public void close() {
        subscriptions.close(jetStream::close);
    }

    /** The oldest nats-server whose JetStream clusters the delivery tests pass on (see {@link #warnIfOld}). */
    static final String OLDEST_RECOMMENDED = "2.10.0";

    private void onConnectionEvent(Connection c, ConnectionListener.Events event) {
        subscriptions.attach(c);
        if (subscriptions.isClosed()) {
            return;
        }
        switch (event) {
            case CONNECTED, RECONNECTED -> {
                warnIfOld(c);
                // Before the listener hears of it: from then on, stream publishes wait for the streams' fresh info.
                jetStream.streams.connected();
                if (!connected.getAndSet(true)) {
                    listener.onConnected(everConnected.getAndSet(true));
                }
                subscriptions.reconnected();
            }
            case DISCONNECTED, CLOSED -> {
                String error = c.getLastError();
                if (connected.getAndSet(false)) {
                    listener.onDisconnected("NATS " + event.name().toLowerCase(Locale.ROOT)
                            + (error == null || error.isEmpty() ? "" : ": " + error));
                }
                if (event == ConnectionListener.Events.CLOSED) {
                    // Not closed by this bus (checked above): jnats gave up, and a closed connection never reopens.
                    listener.failed(new BusUnavailableException("the NATS client closed its connection to " + servers
                            + " on its own and will not reconnect (last error: "
                            + (error == null || error.isEmpty() ? "none" : error) + "); it does so after a server "
                            + "refused this node's credentials twice in a row: fix them, then start the node again"));
                }
            }
            case LAME_DUCK -> LOG.warning(() -> "NATS server " + c.getConnectedUrl()
                    + " is shutting down (lame duck); this node moves to another server when it closes");
            default -> LOG.fine(() -> "NATS " + event.getEvent());
        }
    }

    /**
     * One line per connection to a server older than {@link #OLDEST_RECOMMENDED}: nats-server 2.9's JetStream
     * clusters can keep a replica diverged after a stall, and a node whose consumer JetStream places on it hands its
     * clients other messages than the acknowledged ones (README, "NATS server version").
     */
    private static void warnIfOld(Connection c) {
        ServerInfo info = c.getServerInfo();
        if (info != null && info.getVersion() != null && info.isOlderThanVersion(OLDEST_RECOMMENDED)) {
            LOG.warning(() -> "NATS server " + info.getServerName() + " (" + c.getConnectedUrl() + ") runs nats-server "
                    + info.getVersion() + ": in a JetStream cluster before " + OLDEST_RECOMMENDED + " a replica can "
                    + "stay diverged after a stall, and acknowledged broadcasts read from it are lost to this node's "
                    + "clients; upgrade the NATS servers to " + OLDEST_RECOMMENDED + " or newer");
        }
    }
}
