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
 * What a {@link ChannelClient} listens to: its channel handlers and queue watches, whether it holds a queue item
 * not yet reserved past, the frames that restore all of it on a new connection, and the dispatch of events and
 * jobs to the handlers. Thread-safe; dispatch runs on the client's reader thread.
 */
final class Interests {
    private static final Logger LOG = Logger.getLogger(Interests.class.getName());

    private record Watch(Consumer<JsonElement> handler, boolean autoReserve) {
    }

    private final Map<String, Consumer<JsonElement>> channels = new ConcurrentHashMap<>();
    private final Map<String, Watch> watches = new ConcurrentHashMap<>();
    private volatile boolean awaitingReserve;

    /** @return true when the channel is new (a subscribe must be sent) */
    boolean subscribe(String channel, Consumer<JsonElement> handler) {
        return channels.put(channel, handler) == null;
    }

    /** @return true when the channel was subscribed */
    boolean unsubscribe(String channel) {
        return channels.remove(channel) != null;
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

    /** Subscribe, watch and (unless an item is held) reserve: the state a fresh connection must be given. */
    byte[][] resyncFrames() {
        List<byte[]> frames = new ArrayList<>();
        if (!channels.isEmpty()) {
            frames.add(Messages.subscribe(new ArrayList<>(channels.keySet())));
        }
        if (!watches.isEmpty()) {
            frames.add(Messages.watch(new ArrayList<>(watches.keySet())));
            if (!awaitingReserve) {
                frames.add(Messages.simple(MessageType.RESERVE));
            }
        }
        return frames.toArray(new byte[0][]);
    }

    void onEvent(Message m) throws ProtocolException {
        Consumer<JsonElement> h = channels.get(m.string("channel"));
        if (h != null) {
            run(h, m.element("data"), "channel " + m.string("channel"));
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

    private static void run(Consumer<JsonElement> handler, JsonElement data, String source) {
        try {
            handler.accept(data);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "handler for " + source + " failed; the client goes on", e);
        }
    }
}
