package io.channelpush.channel.daemon;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.channelpush.channel.protocol.ErrorCode;
import io.channelpush.channel.protocol.Message;
import io.channelpush.channel.protocol.MessageType;
import io.channelpush.channel.protocol.Messages;
import io.channelpush.channel.protocol.ProtocolException;
import io.channelpush.channel.protocol.RawFrame;
import io.channelpush.channel.protocol.StreamMessages;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.DoubleSupplier;

/**
 * The daemon's pub/sub and queue semantics: which connection hears which channel and claims which name, which
 * watcher holds which item ({@link WorkQueues}). One method per message type, dispatched from {@link #handle};
 * publishes go through {@link Publishing}, stream resumes and history through {@link StreamService}. Confined to the
 * event-loop thread.
 */
final class Broker {
    private final Connections connections;
    private final DoubleSupplier eventsPerSecond;
    private final DaemonConfig config;
    private final String serverName;
    private final Map<String, Set<Connection>> subscribers = new HashMap<>();
    private final WorkQueues queues;
    private final Map<String, Connection> claims = new HashMap<>();
    private final MemoryBudget budget;
    private long eventsDelivered;
    private final WarmupReplay warmup;
    private final StreamService streams;
    private final Publishing publishing;

    /** @param eventsPerSecond the loop's measure, for {@code stats} */
    Broker(Connections connections, DoubleSupplier eventsPerSecond, DaemonConfig config, String serverName,
            MemoryBudget budget, Streams streams) {
        this.connections = connections;
        this.eventsPerSecond = eventsPerSecond;
        this.streams = new StreamService(streams, connections, budget, config.outboundLimitBytes());
        this.budget = budget;
        this.config = config;
        this.serverName = serverName;
        this.queues = new WorkQueues(connections, budget, config.queueLimit());
        this.warmup = new WarmupReplay(config.warmup(), config.outboundLimitBytes(), budget);
        this.publishing = new Publishing(this, connections, subscribers, budget, warmup, this.streams);
    }

    long eventsDelivered() {
        return eventsDelivered;
    }

    void countDelivered() {
        eventsDelivered++;
    }

    StreamService streams() {
        return streams;
    }

    void handle(Connection c, Message m) throws ProtocolException {
        if (!c.helloDone && m.type() != MessageType.HELLO) {
            throw new ProtocolException(ErrorCode.HELLO_REQUIRED, "the first frame must be \"hello\"");
        }
        switch (m.type()) {
            case HELLO -> hello(c, m);
            case SUBSCRIBE -> subscribe(c, m);
            case CLAIM -> claim(c, m);
            case UNSUBSCRIBE -> unsubscribe(c, m);
            case PUBLISH -> publish(c, m);
            case ENQUEUE -> queues.enqueue(c, m);
            case WATCH -> queues.watch(c, m);
            case UNWATCH -> queues.unwatch(c, m);
            case RESERVE -> queues.reserve(c);
            case PING -> connections.send(c, Messages.simple(MessageType.PONG));
            case STATS -> connections.send(c, Messages.of(stats()));
            case HISTORY -> streams.history(c, m);
            default -> throw new ProtocolException(ErrorCode.UNKNOWN_TYPE,
                    "\"" + m.type().wireName() + "\" is sent by the daemon, not to it");
        }
    }

    private void hello(Connection c, Message m) throws ProtocolException {
        if (c.helloDone) {
            throw new ProtocolException(ErrorCode.HELLO_REQUIRED, "\"hello\" was already sent");
        }
        long protocol = m.number("protocol");
        if (protocol < 1 || protocol > StreamMessages.PROTOCOL_VERSION) {
            throw new ProtocolException(ErrorCode.UNSUPPORTED_PROTOCOL,
                    "this daemon speaks protocols 1 to " + StreamMessages.PROTOCOL_VERSION + ", not " + protocol);
        }
        String name = m.optionalString("client");
        String secret = m.optionalString("secret");
        if (config.secret() != null && (secret == null || !MessageDigest.isEqual(
                config.secret().getBytes(StandardCharsets.UTF_8), secret.getBytes(StandardCharsets.UTF_8)))) {
            throw new ProtocolException(ErrorCode.BAD_SECRET,
                    secret == null ? "this daemon requires a secret" : "wrong secret");
        }
        c.helloAccepted(config.maxFrameBytes());
        c.clientName = name == null ? "?" : name;
        c.protocol = (int) protocol;
        connections.send(c, protocol == 1 ? Messages.welcome(serverName)
                : StreamMessages.welcome(serverName, streams.epoch()));
    }

    private void subscribe(Connection c, Message m) throws ProtocolException {
        List<String> channels = m.strings("channels");
        JsonElement from = c.protocol >= 2 ? m.json().get("from") : null;
        if (from == null || from.isJsonNull()) {
            for (String ch : channels) {
                subscribeAtHead(c, ch);
            }
            return;
        }
        if (!from.isJsonObject()) {
            throw new ProtocolException(ErrorCode.MISSING_FIELD, "\"from\" must be an object {channel: position}");
        }
        Set<String> all = new LinkedHashSet<>(channels);
        all.addAll(from.getAsJsonObject().keySet());
        for (String ch : all) {
            JsonElement position = from.getAsJsonObject().get(ch);
            StreamLog log = streams.log(ch);
            if (position == null) {
                subscribeAtHead(c, ch);
            } else if (log == null) {
                subscribe(c, ch);
                connections.refuse(c, ErrorCode.NOT_A_STREAM, "\"" + ch + "\" is not a stream channel of this daemon "
                        + "(--stream-channels); subscribed without a resume", ch);
            } else {
                // replayed from the log first; the replay makes it a live subscriber once it has caught up
                c.channels.add(ch);
                removeSubscriber(ch, c);
                c.replays.removeIf(r -> r.channel.equals(ch));
                streams.resume(c, ch, log, position);
            }
        }
    }

    /**
     * A subscribe without a position: under version 2 a stream channel is answered with {@code resumed} carrying its
     * head, before any of its live events; a channel this connection already subscribes to changes nothing and gets
     * no answer (its position, live or in a replay, is the client's already).
     */
    private void subscribeAtHead(Connection c, String ch) {
        StreamLog log = c.protocol >= 2 ? streams.log(ch) : null;
        if (log != null && !c.channels.contains(ch)) {
            streams.head(c, ch, log);
        }
        subscribe(c, ch);
    }

    private void subscribe(Connection c, String ch) {
        if (c.channels.add(ch)) {
            subscribers.computeIfAbsent(ch, k -> new LinkedHashSet<>()).add(c);
            if (streams.log(ch) == null) {
                for (byte[] frame : warmup.replay(ch)) {
                    connections.send(c, frame);
                    eventsDelivered++; // a replayed event is delivered as a live one is (stream replays count too)
                }
            }
        }
    }

    /** A resume has replayed everything up to the log's last offset: from now on the connection gets live events. */
    void goLive(Connection c, String ch) {
        if (c.channels.contains(ch)) {
            subscribers.computeIfAbsent(ch, k -> new LinkedHashSet<>()).add(c);
        }
    }

    /** Subscribes as the channel's only claimant, or refuses with {@code name_claimed} while another holds it. */
    private void claim(Connection c, Message m) throws ProtocolException {
        String ch = m.string("channel");
        Connection holder = claims.get(ch);
        if (holder != null && holder != c) {
            connections.refuse(c, ErrorCode.NAME_CLAIMED, "channel \"" + ch + "\" is already claimed by " + holder
                    + "; it stays claimed until that connection closes", ch);
            return;
        }
        claims.put(ch, c);
        c.claims.add(ch);
        subscribe(c, ch);
        connections.send(c, Messages.claimed(ch));
    }

    private void unsubscribe(Connection c, Message m) throws ProtocolException {
        for (String ch : m.strings("channels")) {
            if (c.channels.remove(ch)) {
                removeSubscriber(ch, c);
                c.replays.removeIf(r -> r.channel.equals(ch));
            }
            if (c.claims.remove(ch)) {
                claims.remove(ch);
            }
        }
    }

    private void publish(Connection c, Message m) throws ProtocolException {
        List<String> channels = m.strings("channels");
        String data = m.element("data").toString();
        long id = RawFrame.NO_ID;
        if (c.protocol >= 2 && m.json().has("id")) {
            id = m.number("id");
            if (id < 0) {
                throw new ProtocolException(ErrorCode.MISSING_FIELD, "\"id\" must be a non-negative integer");
            }
        }
        byte[] bytes = data.getBytes(StandardCharsets.UTF_8);
        publishing.publish(c, channels, i -> Messages.event(channels.get(i), data),
                (i, offset) -> StreamMessages.event(channels.get(i), offset, bytes), () -> bytes, id);
    }

    /**
     * Handles a publish or enqueue that {@link RawFrame#scan} took: its {@code data} goes on byte for byte,
     * spliced into the event or job frame, never parsed into a tree or written out again. Only after hello.
     */
    void handleRaw(Connection c, RawFrame f) {
        if (f.type() == MessageType.PUBLISH) {
            publishing.publish(c, f.names(), i -> f.splice(MessageType.EVENT, "channel", i), f::spliceEvent, f::data,
                    c.protocol >= 2 ? f.id() : RawFrame.NO_ID);
        } else {
            queues.enqueue(c, f.name(), f.size(), () -> f.splice(MessageType.JOB, "queue", 0));
        }
    }

    /** Ends the warm-up window once it has passed; called by the loop's periodic sweep. */
    void endWarmupIfDue(long now) {
        warmup.endIfDue(now);
    }

    /** Forgets a connection that is closing; an item it held goes back to the front of its queue. */
    void remove(Connection c) {
        streams.forget(c);
        for (String ch : c.channels) {
            removeSubscriber(ch, c);
        }
        c.channels.clear();
        for (String ch : c.claims) {
            claims.remove(ch);
        }
        c.claims.clear();
        queues.remove(c);
    }

    private void removeSubscriber(String ch, Connection c) {
        Set<Connection> subs = subscribers.get(ch);
        if (subs != null && subs.remove(c) && subs.isEmpty()) {
            subscribers.remove(ch);
        }
    }

    /** The body of a {@code stats_reply}. */
    JsonObject stats() {
        JsonObject o = new JsonObject();
        o.addProperty("type", MessageType.STATS_REPLY.wireName());
        o.addProperty("server", serverName);
        o.addProperty("clients", connections.count());
        JsonObject chans = new JsonObject();
        subscribers.keySet().stream().sorted().forEach(k -> chans.addProperty(k, subscribers.get(k).size()));
        o.add("channels", chans);
        o.add("queues", queues.stats());
        o.addProperty("events_delivered", eventsDelivered);
        o.addProperty("events_per_second", eventsPerSecond.getAsDouble());
        o.addProperty("memory_bytes", budget.used());
        o.addProperty("memory_peak_bytes", budget.peak());
        o.addProperty("memory_limit_bytes", budget.limit());
        o.addProperty("epoch", streams.epoch());
        o.add("streams", streams.stats(config.streamChannels()));
        return o;
    }
}
