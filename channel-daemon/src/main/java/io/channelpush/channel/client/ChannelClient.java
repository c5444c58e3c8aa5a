package io.channelpush.channel.client;

import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import io.channelpush.channel.log.RateLimitedLog;
import io.channelpush.channel.protocol.ErrorCode;
import io.channelpush.channel.protocol.Message;
import io.channelpush.channel.protocol.Messages;
import io.channelpush.channel.protocol.ProtocolException;
import io.channelpush.channel.protocol.RawFrame;
import io.channelpush.channel.protocol.MessageType;
import java.io.IOException;
import java.time.Duration;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Client of the channel daemon: subscribe to channels (or {@link #claim} one as its only subscriber), publish, and
 * watch and feed work queues.
 *
 * <p>It connects in the background and reconnects by itself (capped, jittered backoff), re-sending its hello,
 * subscriptions and watches; a ping every {@link ClientOptions#pingInterval()} notices a dead daemon within
 * {@link ClientOptions#readTimeout()}. Publishes and enqueues go to a bounded buffer, in order, that survives
 * reconnects; when it is full they throw {@link ChannelUnavailableException} and nothing is queued.
 *
 * <p>Threads: all methods are thread-safe. Handlers run on the client's single reader thread
 * ({@code channel-client-<name>}), one at a time, in the order the daemon sent the messages; a handler must
 * not block for long (a slow handler makes the daemon close this client as a slow consumer). Exceptions from
 * handlers are logged and do not affect the client. Listener callbacks run on the same thread.
 */
public final class ChannelClient implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ChannelClient.class.getName());

    /** Connection events, for health checks and metrics. Called on the reader thread; must not block. */
    public interface Listener {
        /** Connected (again): subscriptions and watches are in place. */
        default void onConnected(boolean reconnect) {
        }

        /** The connection was lost; the client keeps reconnecting. */
        default void onDisconnected(String reason) {
        }

        /** The daemon sent an error frame, for example {@code queue_full}. */
        default void onError(ErrorCode code, String message) {
        }

        /**
         * The daemon granted ({@code held}) or refused a claim made with {@link ChannelClient#claim}; called when
         * that changes, not for every repeated refusal. {@code message} is the daemon's reason for a refusal.
         */
        default void onClaim(String channel, boolean held, String message) {
        }
    }

    private final ClientOptions options;
    private final Listener listener;
    private final OutboundBuffer buffer;
    private final Interests interests = new Interests();
    /**
     * One line a second per error code at most: some errors come once per request (over_capacity on every
     * publish while the daemon is full), at the pace of whoever drives the node's publishes.
     */
    private final EnumMap<ErrorCode, RateLimitedLog> errorLogs = new EnumMap<>(ErrorCode.class);
    private final RateLimitedLog unknownErrorLog = new RateLimitedLog(LOG, Level.WARNING);
    private final Thread supervisor;
    private final CountDownLatch closing = new CountDownLatch(1);
    private final Object stateLock = new Object();
    private DaemonConnection current;
    private boolean connected;
    private volatile boolean closed;

    private final Thread.UncaughtExceptionHandler threadDeaths;

    private ChannelClient(ClientOptions options, Listener listener, Thread.UncaughtExceptionHandler threadDeaths) {
        this.options = options;
        for (ErrorCode code : ErrorCode.values()) {
            errorLogs.put(code, new RateLimitedLog(LOG, Level.WARNING));
        }
        this.listener = listener;
        this.threadDeaths = threadDeaths;
        this.buffer = new OutboundBuffer(options.bufferLimitBytes());
        this.supervisor = new Thread(this::superviseConnection, "channel-client-" + options.clientName());
        this.supervisor.setDaemon(true);
        if (threadDeaths != null) {
            this.supervisor.setUncaughtExceptionHandler(threadDeaths);
        }
    }

    /** Starts a client; it connects in the background. See {@link #awaitConnected}. */
    public static ChannelClient start(ClientOptions options, Listener listener) {
        return start(options, listener, null);
    }

    /**
     * Starts a client whose reader and writer threads report their death (an uncaught exception, such as an
     * {@link OutOfMemoryError}) to {@code threadDeaths}; null for the JVM's default handler.
     */
    public static ChannelClient start(ClientOptions options, Listener listener,
                                      Thread.UncaughtExceptionHandler threadDeaths) {
        ChannelClient c = new ChannelClient(options, listener == null ? new Listener() { } : listener, threadDeaths);
        c.supervisor.start();
        return c;
    }

    public static ChannelClient start(ClientOptions options) {
        return start(options, null);
    }

    /** Waits until connected; false on timeout. */
    public boolean awaitConnected(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (stateLock) {
            while (!connected && !closed) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    return false;
                }
                stateLock.wait(left);
            }
            return connected;
        }
    }

    public boolean isConnected() {
        synchronized (stateLock) {
            return connected;
        }
    }

    /** Bytes of publishes and enqueues not yet written to the daemon. */
    public long bufferedBytes() {
        return buffer.dataBytes();
    }

    /** Subscribes to a channel; a second call for the same channel replaces the handler. */
    public void on(String channel, Consumer<JsonElement> handler) {
        onBytes(channel, tree(handler));
    }

    /**
     * Subscribes to a channel, receiving each event's {@code data} as the UTF-8 JSON bytes it arrived as (nothing is
     * parsed for the handler); a second call for the same channel replaces the handler.
     */
    public void onBytes(String channel, Consumer<byte[]> handler) {
        if (interests.subscribe(channel, handler)) {
            buffer.offerControl(Messages.subscribe(List.of(channel)));
        }
    }

    /**
     * Subscribes to a channel as its only claimant: the daemon refuses the claim ({@code name_claimed}) while another
     * live connection holds it, and then this client receives nothing on it. The client claims again after every
     * reconnect and, while refused, with every ping (so it takes the channel over when the holder goes away);
     * {@link Listener#onClaim} reports the outcome. Meant for a channel that names one process, such as a push
     * node's worker id.
     *
     * @throws IllegalArgumentException when the channel is already subscribed with {@link #on}
     */
    public void claim(String channel, Consumer<JsonElement> handler) {
        claimBytes(channel, tree(handler));
    }

    /** {@link #claim} with the handler of {@link #onBytes}. */
    public void claimBytes(String channel, Consumer<byte[]> handler) {
        if (interests.claim(channel, handler)) {
            buffer.offerControl(Messages.claim(channel));
        }
    }

    /** True while the daemon has granted this client's claim of {@code channel} on the current connection. */
    public boolean holdsClaim(String channel) {
        return interests.holdsClaim(channel);
    }

    public void unsubscribe(String channel) {
        if (interests.unsubscribe(channel)) {
            buffer.offerControl(Messages.unsubscribe(List.of(channel)));
        }
    }

    /** Publishes to one channel. @throws ChannelUnavailableException when the buffer is full or closed */
    public void publish(String channel, JsonElement data) {
        publish(List.of(channel), data);
    }

    /** Publishes to several channels at once. @throws ChannelUnavailableException when it cannot be queued */
    public void publish(Collection<String> channels, JsonElement data) {
        offer(Messages.publish(channels, data.toString()), "publish");
    }

    /**
     * Publishes data already encoded: {@code dataJson} must be one complete UTF-8 JSON value (the caller's codec
     * vouches for it; the daemon refuses the publish with {@code bad_json} otherwise). The bytes are copied once,
     * into the frame. @throws ChannelUnavailableException when it cannot be queued
     */
    public void publish(String channel, byte[] dataJson) {
        offer(Messages.publish(channel, dataJson), "publish");
    }

    private static Consumer<byte[]> tree(Consumer<JsonElement> handler) {
        return data -> handler.accept(JsonParser.parseString(new String(data, StandardCharsets.UTF_8)));
    }

    /** Adds an item to a work queue. @throws ChannelUnavailableException when it cannot be queued */
    public void enqueue(String queue, JsonElement data) {
        offer(Messages.enqueue(queue, data.toString()), "enqueue");
    }

    /** Watches a queue, reserving the next item as soon as the handler returns. */
    public void watch(String queue, Consumer<JsonElement> handler) {
        watch(queue, handler, true);
    }

    /**
     * Watches a queue. With {@code autoReserve} false the caller must call {@link #reserve()} when it is ready
     * for the next item (for asynchronous work); until then the daemon sends this client no other item.
     */
    public void watch(String queue, Consumer<JsonElement> handler, boolean autoReserve) {
        interests.watch(queue, handler, autoReserve).forEach(buffer::offerControl);
    }

    public void unwatch(String queue) {
        if (interests.unwatch(queue)) {
            buffer.offerControl(Messages.unwatch(List.of(queue)));
        }
    }

    /** Tells the daemon this client is ready for its next queue item. */
    public void reserve() {
        interests.reserved();
        buffer.offerControl(Messages.simple(MessageType.RESERVE));
    }

    private void offer(byte[] frame, String what) {
        if (closed) {
            throw new ChannelUnavailableException("channel client is closed; " + what + " refused");
        }
        if (!buffer.offerData(frame)) {
            throw new ChannelUnavailableException("channel buffer full (" + options.bufferLimitBytes()
                    + " bytes) while the daemon at " + options.address() + " is unreachable or slow; "
                    + what + " refused");
        }
    }

    private void superviseConnection() {
        long delay = options.reconnectMin().toNanos();
        boolean everConnected = false;
        while (!closed) {
            DaemonConnection conn = null;
            try {
                conn = DaemonConnection.open(options);
                buffer.dropControlFrames();
                interests.claimsUnknown();
                conn.sendNow(interests.resyncFrames());
                // connected means the claims are settled: readiness never shows a claim not yet answered
                conn.readUntil(this::onFrame, interests::claimsAnswered);
                synchronized (stateLock) {
                    if (closed) {
                        conn.close();
                        return;
                    }
                    current = conn;
                    connected = true;
                    stateLock.notifyAll();
                }
                conn.startWriter(buffer, "channel-writer-" + options.clientName(), interests::refusedClaimFrames,
                        threadDeaths);
                LOG.info((everConnected ? "reconnected to" : "connected to") + " channel daemon " + options.address());
                listener.onConnected(everConnected);
                everConnected = true;
                delay = options.reconnectMin().toNanos();
                conn.readLoop(this::onFrame);
            } catch (IOException | ProtocolException e) {
                if (conn != null) {
                    conn.close();
                }
                synchronized (stateLock) {
                    current = null;
                    connected = false;
                }
                interests.claimsUnknown();
                if (!closed) {
                    connectionLost(conn, e);
                }
            }
            long sleep = delay / 2 + ThreadLocalRandom.current().nextLong(delay / 2 + 1);
            delay = Math.min(delay * 2, options.reconnectMax().toNanos());
            try {
                closing.await(sleep, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** The one place where a lost or refused connection is reported. */
    private void connectionLost(DaemonConnection conn, Exception e) {
        String reason = e instanceof ProtocolException p ? p.code().wireName() + ": " + p.getMessage() : e.toString();
        if (conn == null) {
            LOG.log(e instanceof ProtocolException ? Level.SEVERE : Level.FINE,
                    () -> "cannot connect to channel daemon " + options.address() + ": " + reason + "; retrying");
        } else {
            LOG.warning(() -> "lost channel daemon " + options.address() + ": " + reason + "; reconnecting, "
                    + buffer.dataBytes() + " bytes buffered");
            listener.onDisconnected(reason);
        }
    }

    /** An event's data is handed on as the bytes it arrived as; other frames are parsed into a tree. */
    private void onFrame(byte[] body) throws ProtocolException {
        RawFrame raw = RawFrame.scan(body);
        if (raw != null && raw.type() == MessageType.EVENT) {
            interests.onEvent(raw.name(), raw.data());
        } else {
            onMessage(Message.parse(body));
        }
    }

    private void onMessage(Message m) {
        try {
            switch (m.type()) {
                case EVENT -> interests.onEvent(m.string("channel"),
                        m.element("data").toString().getBytes(StandardCharsets.UTF_8));
                case JOB -> {
                    if (interests.onJob(m)) {
                        reserve();
                    }
                }
                case ERROR -> onError(m);
                case CLAIMED -> claimAnswered(m.string("channel"), true, null);
                case PONG, WELCOME, STATS_REPLY -> {
                }
                default -> LOG.warning(() -> "unexpected " + m.type().wireName() + " from channel daemon; ignored");
            }
        } catch (ProtocolException e) {
            LOG.warning(() -> "malformed " + m.type().wireName() + " from channel daemon ignored: " + e.getMessage());
        }
    }

    private void claimAnswered(String channel, boolean held, String message) {
        if (interests.claimAnswered(channel, held)) {
            if (held) {
                LOG.info(() -> "holds the claim of channel " + channel + " on channel daemon " + options.address());
            }
            listener.onClaim(channel, held, message);
        }
    }

    private void onError(Message m) throws ProtocolException {
        String code = m.string("code");
        String text = m.string("message");
        if (ErrorCode.NAME_CLAIMED.wireName().equals(code)) {
            claimAnswered(m.string("channel"), false, text);
            return;
        }
        ErrorCode c = ErrorCode.fromWire(code);
        (c == null ? unknownErrorLog : errorLogs.get(c)).log(() -> "channel daemon " + options.address() + " reports "
                + code + ": " + text);
        if (c != null) {
            listener.onError(c, text);
        }
    }

    /**
     * Closes the connection and stops reconnecting; waits at most 2 s for the client's threads. Publishes still
     * buffered are dropped and counted in a log line.
     */
    @Override
    public void close() {
        synchronized (stateLock) {
            if (closed) {
                return;
            }
            closed = true;
            stateLock.notifyAll();
        }
        closing.countDown();
        int unsent = buffer.close();
        DaemonConnection c;
        synchronized (stateLock) {
            c = current;
        }
        if (c != null) {
            c.close();
        }
        try {
            supervisor.join(TimeUnit.SECONDS.toMillis(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (unsent > 0) {
            LOG.warning(() -> "channel client closed with " + unsent + " publishes not yet sent to " + options.address());
        }
    }
}
