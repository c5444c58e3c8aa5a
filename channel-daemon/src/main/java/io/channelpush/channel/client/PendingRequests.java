package io.channelpush.channel.client;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.channelpush.channel.protocol.Message;
import io.channelpush.channel.protocol.Messages;
import io.channelpush.channel.protocol.ProtocolException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The requests of protocol 2 that wait for the daemon's answer: acknowledged publishes ({@code ack}) and history
 * pages ({@code history_reply}), by id, bounded in count and bytes, each with a deadline. One timer thread sweeps
 * the deadlines every {@value #SWEEP_MILLIS} ms while any request waits (so a request fails at most that much after
 * its timeout): a scan of at most the bound of entries, cheaper at high rates than scheduling and cancelling a task
 * per request. With nothing waiting the timer sleeps: 50 wake-ups a second with nothing to do were about 1 % of a
 * core on an idle node.
 *
 * <p>How a publish ends: {@code ack} completes it (on the reader thread); an {@code error} with its id fails it as
 * not taken ({@link ChannelUnavailableException}); at its deadline, a frame still in the {@link OutboundBuffer} is
 * withdrawn (it is then never written) and fails as not taken, and a frame already written fails as
 * {@link OutcomeUnknownException}, as does a written frame whose connection dies. A history request has no effect,
 * so every failure of it is {@link ChannelUnavailableException}. Thread-safe.
 */
final class PendingRequests implements AutoCloseable {
    private static final class Pending {
        final long id;
        final String channel;
        final boolean history;
        final int bytes;
        final CompletableFuture<Object> future = new CompletableFuture<>();
        volatile OutboundBuffer.Entry entry;
        /** {@link System#nanoTime()} at which it expires; set before it is in the buffer. */
        volatile long deadline;
        volatile Duration timeout;

        Pending(long id, String channel, boolean history, int bytes) {
            this.id = id;
            this.channel = channel;
            this.history = history;
            this.bytes = bytes;
        }
    }

    private final ClientOptions options;
    private final OutboundBuffer buffer;
    private final ScheduledThreadPoolExecutor timer;
    private final Map<Long, Pending> pending = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final AtomicInteger acks = new AtomicInteger();
    private final AtomicLong ackBytes = new AtomicLong();
    private final AtomicInteger histories = new AtomicInteger();
    /** 0 before the first connection, then the protocol the daemon accepted last. */
    private volatile int protocol;
    private volatile boolean closed;
    private final AtomicBoolean sweepScheduled = new AtomicBoolean();

    PendingRequests(ClientOptions options, OutboundBuffer buffer, Thread.UncaughtExceptionHandler threadDeaths) {
        this.options = options;
        this.buffer = buffer;
        this.timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "channel-timer-" + options.clientName());
            t.setDaemon(true);
            if (threadDeaths != null) {
                t.setUncaughtExceptionHandler(threadDeaths);
            }
            return t;
        });
    }

    static final int SWEEP_MILLIS = 20;

    /** Schedules the next sweep unless one is: called once a request is in {@link #pending}, and by the sweep. */
    private void sweepSoon() {
        if (sweepScheduled.compareAndSet(false, true)) {
            try {
                timer.schedule(this::sweep, SWEEP_MILLIS, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                sweepScheduled.set(false); // closed: close() failed or fails what is waiting
            }
        }
    }

    private void sweep() {
        long now = System.nanoTime();
        for (Pending p : pending.values()) {
            if (p.timeout != null && now - p.deadline >= 0) {
                expire(p, p.timeout);
            }
        }
        // cleared before the check: a request added after the check finds it clear and schedules the sweep itself
        sweepScheduled.set(false);
        if (!pending.isEmpty()) {
            sweepSoon();
        }
    }

    /** Whether the timer has nothing to run, now or later (for tests: so while nothing waits). */
    boolean timerIdle() {
        // the flag covers the moment a sweep has left the queue and not yet started
        return !sweepScheduled.get() && timer.getQueue().isEmpty() && timer.getActiveCount() == 0;
    }

    @SuppressWarnings("unchecked")
    CompletableFuture<StreamOffset> publish(String channel, byte[] dataJson, Duration timeout) {
        ClientOptions.RequestLimits l = options.requests();
        Pending p = new Pending(ids.incrementAndGet(), channel, false, dataJson.length);
        String refused = refusal("publish");
        if (refused == null && acks.incrementAndGet() > l.maxPendingAcks()) {
            acks.decrementAndGet();
            refused = "channel client has " + l.maxPendingAcks() + " publishes awaiting acknowledgement from "
                    + options.address() + " (the limit); publish refused";
        } else if (refused == null && ackBytes.addAndGet(p.bytes) > l.maxPendingAckBytes()) {
            acks.decrementAndGet();
            ackBytes.addAndGet(-p.bytes);
            refused = "channel client has " + l.maxPendingAckBytes() + " bytes of publishes awaiting "
                    + "acknowledgement from " + options.address() + " (the limit); publish refused";
        }
        if (refused != null) {
            return CompletableFuture.failedFuture(new ChannelUnavailableException(refused));
        }
        return (CompletableFuture<StreamOffset>) (CompletableFuture<?>) send(p,
                Messages.publish(channel, dataJson, p.id), timeout);
    }

    @SuppressWarnings("unchecked")
    CompletableFuture<History> history(String channel, String epoch, long after, int limit) {
        ClientOptions.RequestLimits l = options.requests();
        Pending p = new Pending(ids.incrementAndGet(), channel, true, 0);
        String refused = refusal("history request");
        if (refused == null && histories.incrementAndGet() > l.maxPendingHistory()) {
            histories.decrementAndGet();
            refused = "channel client has " + l.maxPendingHistory() + " history requests pending (the limit); "
                    + "history request refused";
        }
        if (refused != null) {
            return CompletableFuture.failedFuture(new ChannelUnavailableException(refused));
        }
        return (CompletableFuture<History>) (CompletableFuture<?>) send(p,
                Messages.history(p.id, channel, epoch, after, limit), l.historyTimeout());
    }

    private String refusal(String what) {
        if (closed) {
            return "channel client is closed; " + what + " refused";
        }
        return protocol == 1 ? protocol1(what) : null;
    }

    private String protocol1(String what) {
        return "the channel daemon at " + options.address() + " speaks only protocol 1, without acknowledgements "
                + "or streams; " + what + " refused: upgrade the channel daemon to a version that speaks protocol 2";
    }

    private CompletableFuture<Object> send(Pending p, byte[] frame, Duration timeout) {
        p.deadline = System.nanoTime() + timeout.toNanos();
        pending.put(p.id, p);
        sweepSoon();
        OutboundBuffer.Entry e = buffer.offerOnce(frame);
        if (e == null) {
            fail(p, new ChannelUnavailableException("channel buffer full (" + options.bufferLimitBytes()
                    + " bytes) while the daemon at " + options.address() + " is unreachable or slow; refused"));
            return p.future;
        }
        p.entry = e;
        String refused = refusal(p.history ? "history request" : "publish");
        if (refused == null) {
            p.timeout = timeout; // from now on the sweep may expire it
            if (!closed) {
                return p.future;
            }
            refused = "channel client is closed; refused";
        }
        // closed or protocol 1 meanwhile: take it back, unless the writer already has it
        if (buffer.withdraw(e)) {
            fail(p, new ChannelUnavailableException(refused));
        } else {
            fail(p, new OutcomeUnknownException("sent to the channel daemon at " + options.address() + " as " + refused
                    + "; no acknowledgement will be awaited; it may still be delivered, once"));
        }
        return p.future;
    }

    private void expire(Pending p, Duration timeout) {
        if (p.future.isDone()) {
            return;
        }
        String what = (p.history ? "history request for " : "publish to ") + p.channel;
        if (buffer.withdraw(p.entry)) {
            fail(p, new ChannelUnavailableException(what + " not sent within " + timeout.toMillis()
                    + " ms: the channel daemon at " + options.address() + " is unreachable or slow; not taken"));
        } else if (p.history) {
            fail(p, new ChannelUnavailableException(what + " not answered within " + timeout.toMillis() + " ms by "
                    + "the channel daemon at " + options.address()));
        } else {
            fail(p, new OutcomeUnknownException(what + " sent but not acknowledged within " + timeout.toMillis()
                    + " ms by the channel daemon at " + options.address() + "; it may still be delivered, once"));
        }
    }

    /** An {@code ack} read by {@link AckScan}: {@code channel} null when it names none. On the reader thread. */
    void onAck(long id, String channel, long offset, String epoch) {
        Pending p = pending.get(id);
        if (p != null && !p.history) {
            complete(p, epoch != null && p.channel.equals(channel) ? new StreamOffset(epoch, offset) : null);
        }
    }

    /** An {@code ack}, on the reader thread. */
    void onAck(Message m, String epoch) throws ProtocolException {
        Pending p = pending.get(m.number("id"));
        if (p == null || p.history) {
            return; // answered after its deadline, or not ours
        }
        JsonElement offsets = m.json().get("offsets");
        JsonElement offset = offsets != null && offsets.isJsonObject()
                ? offsets.getAsJsonObject().get(p.channel) : null;
        complete(p, offset == null || epoch == null ? null : new StreamOffset(epoch, offset.getAsLong()));
    }

    /** A {@code history_reply}, on the reader thread. */
    void onHistory(Message m) throws ProtocolException {
        Pending p = pending.get(m.number("id"));
        if (p == null || !p.history) {
            return;
        }
        List<History.Event> events = new ArrayList<>();
        JsonElement list = m.element("events");
        if (list.isJsonArray()) {
            for (JsonElement e : (JsonArray) list) {
                JsonObject o = e.getAsJsonObject();
                events.add(new History.Event(o.get("offset").getAsLong(),
                        o.get("data").toString().getBytes(StandardCharsets.UTF_8)));
            }
        }
        complete(p, new History(m.string("epoch"), events, bool(m, "complete"), bool(m, "more")));
    }

    private static boolean bool(Message m, String field) throws ProtocolException {
        JsonElement e = m.element(field);
        return e.isJsonPrimitive() && e.getAsBoolean();
    }

    /** An {@code error} naming an id, on the reader thread: the request was not taken. @return true when ours */
    boolean onError(long id, String code, String message) {
        Pending p = pending.get(id);
        if (p == null) {
            return false;
        }
        fail(p, new ChannelUnavailableException("channel daemon " + options.address() + " refused the "
                + (p.history ? "history request for " : "publish to ") + p.channel + " (" + code + ": " + message
                + "); not taken"));
        return true;
    }

    /** A connection was accepted, speaking {@code version}; under protocol 1 everything waiting is refused. */
    void connected(int version) {
        protocol = version;
        if (version == 1) {
            for (Pending p : pending.values()) {
                OutboundBuffer.Entry e = p.entry;
                if (e != null && buffer.withdraw(e)) {
                    fail(p, new ChannelUnavailableException(protocol1(p.history ? "history request" : "publish")));
                }
            }
        }
    }

    /** The connection died (its writer has stopped): what was written on it will never be answered. */
    void connectionLost(String reason) {
        for (Pending p : pending.values()) {
            OutboundBuffer.Entry e = p.entry;
            if (e != null && e.claimed()) {
                fail(p, p.history ? new ChannelUnavailableException("connection to the channel daemon at "
                        + options.address() + " lost before the history reply (" + reason + ")")
                        : new OutcomeUnknownException("publish to " + p.channel + " sent, then the connection to the "
                        + "channel daemon at " + options.address() + " was lost before its acknowledgement ("
                        + reason + "); it may still be delivered, once"));
            }
        }
    }

    /** Publishes awaiting their acknowledgement. */
    int pendingAcks() {
        return acks.get();
    }

    private void complete(Pending p, Object value) {
        if (release(p)) {
            p.future.complete(value);
        }
    }

    private void fail(Pending p, RuntimeException e) {
        if (release(p)) {
            p.future.completeExceptionally(e);
        }
    }

    /** Removes a request once; true for the one caller that may complete it. */
    private boolean release(Pending p) {
        if (!pending.remove(p.id, p)) {
            return false;
        }
        if (p.history) {
            histories.decrementAndGet();
        } else {
            acks.decrementAndGet();
            ackBytes.addAndGet(-p.bytes);
        }
        return true;
    }

    /** Fails everything still waiting (withdrawn: not taken; written: outcome unknown) and stops the timer. */
    @Override
    public void close() {
        closed = true;
        for (Pending p : pending.values()) {
            OutboundBuffer.Entry e = p.entry;
            if (e == null || buffer.withdraw(e) || p.history) {
                fail(p, new ChannelUnavailableException("channel client closed before the daemon answered; not taken"));
            } else {
                fail(p, new OutcomeUnknownException("channel client closed after sending the publish to " + p.channel
                        + ", before its acknowledgement; it may still be delivered, once"));
            }
        }
        timer.shutdownNow();
        try {
            timer.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException x) {
            Thread.currentThread().interrupt();
        }
    }
}
