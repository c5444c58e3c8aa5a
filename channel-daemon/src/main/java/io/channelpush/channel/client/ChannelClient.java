package io.channelpush.channel.client;

import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import io.channelpush.channel.protocol.ErrorCode;
import io.channelpush.channel.protocol.Messages;
import io.channelpush.channel.protocol.MessageType;
import java.time.Duration;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
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
 * <p>With a daemon of protocol 2 it also acknowledges publishes ({@link #publishAcked}), reads stream channels with
 * offsets and resumes them after every reconnect ({@link #onStream}), and reads a stream's history
 * ({@link #history}); against a daemon of protocol 1 it falls back to that and refuses those three.
 *
 * <p>Threads: all methods are thread-safe. Handlers run on the client's single reader thread
 * ({@code channel-client-<name>}), one at a time, in the order the daemon sent the messages; a handler must
 * not block for long (a slow handler makes the daemon close this client as a slow consumer). Exceptions from
 * handlers are logged and do not affect the client. Listener callbacks run on the same thread. The futures of
 * {@link #publishAcked} and {@link #history} complete on the reader thread (an answer) or on the client's timer
 * thread (a deadline); their callbacks must not block.
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

        /**
         * A stream resumed after a reconnect with a gap: the daemon no longer has every event after the last one
         * handed to the stream's handler (it restarted without its data folder: {@code epoch} is new; or the outage
         * outlasted its retention). What it still has follows. Logged at most once a second besides.
         */
        default void onGap(String channel, String epoch) {
        }
    }

    private final ClientOptions options;
    private final OutboundBuffer buffer;
    private final Interests interests = new Interests();
    private final StreamCursors streams = new StreamCursors();
    private final PendingRequests requests;
    private final Supervisor supervisor;
    private final AtomicBoolean closed = new AtomicBoolean();

    private ChannelClient(ClientOptions options, Listener listener, Thread.UncaughtExceptionHandler threadDeaths) {
        this.options = options;
        this.buffer = new OutboundBuffer(options.bufferLimitBytes());
        this.requests = new PendingRequests(options, buffer, threadDeaths);
        Inbound inbound = new Inbound(options, listener, interests, streams, requests, this::reserve);
        this.supervisor = new Supervisor(options, listener, buffer, interests, streams, requests, inbound,
                threadDeaths);
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
        return supervisor.awaitConnected(timeout);
    }

    public boolean isConnected() {
        return supervisor.isConnected();
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
        if (interests.unsubscribe(channel) | streams.remove(channel)) {
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

    /**
     * Publishes data already encoded (as {@link #publish(String, byte[])}) and tells when the daemon has it
     * (protocol 2). The future completes on the reader thread with the publish's position when {@code channel} is a
     * stream of the daemon, or with null for another channel, once the daemon acknowledged it: appended to the
     * stream's log and routed. It fails with {@link ChannelUnavailableException} when the publish was certainly not
     * taken (refused at once when the client's bounds are reached or the daemon speaks only protocol 1; still unsent
     * at {@code timeout}, when it is withdrawn and never written; refused by the daemon), and with
     * {@link OutcomeUnknownException} when it was written but the connection died or {@code timeout} passed before
     * the acknowledgement (it may still be delivered, at most once: it is never sent again). Never blocks;
     * acknowledged publishes are pipelined, in order with the client's other publishes.
     */
    public CompletableFuture<StreamOffset> publishAcked(String channel, byte[] dataJson, Duration timeout) {
        return requests.publish(channel, dataJson, timeout);
    }

    /** Publishes awaiting their acknowledgement. */
    public int pendingAcks() {
        return requests.pendingAcks();
    }

    /**
     * Subscribes to a stream channel of the daemon with positions (protocol 2): after every reconnect the client
     * resumes from the last event it handed to {@code handler}, which gets what it missed, in order and without
     * duplicates, before new events; {@link Listener#onGap} tells when the daemon no longer has all of it. The daemon
     * answers the subscribe with the stream's head, which is the position until the first event arrives: a reconnect
     * before it still gets every event published after the subscribe (a daemon older than that answer gives none;
     * then a reconnect before the first event starts with the events published from then on). A second call for the
     * same channel replaces the handler and forgets the position.
     *
     * <p>The first events are those published after the daemon takes the subscribe, which is sent after this returns
     * (on a connected client, by its writer thread): being connected ({@link #awaitConnected}) does not mean
     * subscribed. {@link #streamPosition} is non-null once the daemon has answered; a caller whose next step is to have
     * something published that it must see waits for that.
     */
    public void onStream(String channel, StreamHandler handler) {
        if (streams.add(channel, handler)) {
            buffer.offerControl(Messages.subscribe(List.of(channel)));
        }
    }

    /**
     * The position of the last event of {@code channel} handed to its {@link #onStream} handler (before the first, the
     * stream's head when the daemon took the subscribe), or null.
     */
    public StreamOffset streamPosition(String channel) {
        return streams.position(channel);
    }

    /**
     * A page of a stream's retained events after {@code epoch}/{@code afterOffset} (from the oldest retained when
     * {@code epoch} is null), at most {@code limit}; completes on the reader thread, or fails with
     * {@link ChannelUnavailableException} (pending requests at their bound, daemon unreachable or of protocol 1,
     * {@code not_a_stream}, no reply within {@link ClientOptions.RequestLimits#historyTimeout()}). Never blocks.
     */
    public CompletableFuture<History> history(String channel, String epoch, long afterOffset, int limit) {
        return requests.history(channel, epoch, afterOffset, limit);
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
        if (closed.get()) {
            throw new ChannelUnavailableException("channel client is closed; " + what + " refused");
        }
        if (!buffer.offerData(frame)) {
            throw new ChannelUnavailableException("channel buffer full (" + options.bufferLimitBytes()
                    + " bytes) while the daemon at " + options.address() + " is unreachable or slow; "
                    + what + " refused");
        }
    }

    /**
     * Closes the connection and stops reconnecting; waits at most 2 s for the client's threads. Publishes still
     * buffered are dropped and counted in a log line.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        supervisor.close();
        requests.close();
        int unsent = buffer.close();
        if (unsent > 0) {
            LOG.warning(() -> "channel client closed with " + unsent + " publishes not yet sent to "
                    + options.address());
        }
    }
}
