package io.channelpush.channel.client;

import com.google.gson.JsonElement;
import io.channelpush.channel.protocol.Message;
import io.channelpush.channel.protocol.MessageType;
import io.channelpush.channel.protocol.Messages;
import io.channelpush.channel.protocol.ProtocolException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What a {@link ChannelClient} listens to: its channel handlers, claimed channels and queue watches, whether it holds a queue item
 * not yet reserved past, the frames that restore all of it on a new connection, and the dispatch of events and
 * jobs to the handlers. Thread-safe; dispatch runs on the client's reader thread.
 */
final class Interests {
    private static final Logger LOG = Logger.getLogger(Interests.class.getName());

    private record Watch(Consumer<JsonElement> handler, boolean autoReserve) {
    }

    /** Channel handlers take the event's {@code data} as the UTF-8 JSON bytes it arrived as. */
    private final Map<String, Consumer<byte[]>> channels = new ConcurrentHashMap<>();
    /** Claimed channels; the value says whether the daemon granted the claim on the current connection. */
    private final Map<String, Consumer<byte[]>> claims = new ConcurrentHashMap<>();
    private final Map<String, Boolean> claimHeld = new ConcurrentHashMap<>();
    private final Map<String, Watch> watches = new ConcurrentHashMap<>();
    /**
     * The claims sent with the current connection's {@link #resyncFrames}: the only ones whose answers the handshake
     * can wait for. A claim made after those frames were built is in the outbound buffer, which is written only once
     * the handshake is over; waiting for its answer would wait for ever (the start-up hang of a node that claims its
     * worker id while its client connects).
     */
    private volatile List<String> resyncClaims = List.of();
    private volatile boolean awaitingReserve;

    /** @return true when the channel is new (a subscribe must be sent) */
    boolean subscribe(String channel, Consumer<byte[]> handler) {
        return channels.put(channel, handler) == null;
    }

    /** @return true when the channel was subscribed (or claimed) */
    boolean unsubscribe(String channel) {
        boolean claimed = claims.remove(channel) != null;
        claimHeld.remove(channel);
        return channels.remove(channel) != null || claimed;
    }

    /** @return true when the claim is new (a claim must be sent) */
    boolean claim(String channel, Consumer<byte[]> handler) {
        if (channels.containsKey(channel)) {
            throw new IllegalArgumentException("channel " + channel + " is already subscribed without a claim");
        }
        return claims.put(channel, handler) == null;
    }

    /**
     * Records the daemon's answer to a claim.
     *
     * @return true when this changes what is known about the claim
     */
    boolean claimAnswered(String channel, boolean held) {
        if (!claims.containsKey(channel)) {
            return false;
        }
        Boolean before = claimHeld.put(channel, held);
        return before == null || before != held;
    }

    /** A new connection: no claim is held until the daemon grants it again. */
    void claimsUnknown() {
        claimHeld.clear();
    }

    /**
     * True when the daemon has answered (granted or refused) every claim sent with the current connection's
     * {@link #resyncFrames} that is still claimed; a claim made since then is answered after the handshake.
     */
    boolean claimsAnswered() {
        for (String channel : resyncClaims) {
            if (claims.containsKey(channel) && !claimHeld.containsKey(channel)) {
                return false;
            }
        }
        return true;
    }

    /** True when the daemon granted the claim on the current connection. */
    boolean holdsClaim(String channel) {
        return Boolean.TRUE.equals(claimHeld.get(channel));
    }

    /** Claims to try again: those the daemon refused because another connection holds them. */
    List<byte[]> refusedClaimFrames() {
        List<byte[]> frames = new ArrayList<>();
        claimHeld.forEach((channel, held) -> {
            if (!held && claims.containsKey(channel)) {
                frames.add(Messages.claim(channel));
            }
        });
        return frames;
    }

    /** @return the frames to send: a watch for a new queue, and a first reserve when it is the first watch */
    List<byte[]> watch(String queue, Consumer<JsonElement> handler, boolean autoReserve) {
        boolean first = watches.isEmpty();
        if (watches.put(queue, new Watch(handler, autoReserve)) != null) {
            return List.of();
        }
        return first && !awaitingReserve ? List.of(Messages.watch(List.of(queue)), Messages.simple(MessageType.RESERVE))
                : List.of(Messages.watch(List.of(queue)));
    }

    /** @return true when the queue was watched */
    boolean unwatch(String queue) {
        return watches.remove(queue) != null;
    }

    void reserved() {
        awaitingReserve = false;
    }

    /**
     * Subscribe, claim, watch and (unless an item is held) reserve: the state a fresh connection must be given. The
     * claims among them are those {@link #claimsAnswered} waits for. Called on the reader thread.
     */
    byte[][] resyncFrames() {
        List<byte[]> frames = new ArrayList<>();
        if (!channels.isEmpty()) {
            frames.add(Messages.subscribe(new ArrayList<>(channels.keySet())));
        }
        List<String> claimed = new ArrayList<>(claims.keySet());
        for (String channel : claimed) {
            frames.add(Messages.claim(channel));
        }
        resyncClaims = claimed;
        if (!watches.isEmpty()) {
            frames.add(Messages.watch(new ArrayList<>(watches.keySet())));
            if (!awaitingReserve) {
                frames.add(Messages.simple(MessageType.RESERVE));
            }
        }
        return frames.toArray(new byte[0][]);
    }

    /** Hands an event's data, the UTF-8 JSON bytes as received, to the channel's handler. */
    void onEvent(String channel, byte[] data) {
        Consumer<byte[]> h = channels.get(channel);
        if (h == null) {
            h = claims.get(channel);
        }
        if (h != null) {
            run(h, data, "channel " + channel);
        }
    }

    /** Hands a job to its watcher's handler. @return true when the client should reserve the next item now */
    boolean onJob(Message m) throws ProtocolException {
        String queue = m.string("queue");
        Watch w = watches.get(queue);
        awaitingReserve = true;
        if (w == null) {
            LOG.warning(() -> "job for unwatched queue " + queue + " ignored");
            return true;
        }
        run(w.handler(), m.element("data"), "queue " + queue);
        return w.autoReserve();
    }

    private static <T> void run(Consumer<T> handler, T data, String source) {
        try {
            handler.accept(data);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "handler for " + source + " failed; the client goes on", e);
        }
    }
}
