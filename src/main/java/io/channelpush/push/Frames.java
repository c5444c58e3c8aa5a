package io.channelpush.push;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.channelpush.push.bus.StreamPosition;
import java.util.Map;

/**
 * The frames of one delivery, in each format a connection may have chosen ({@code ?format=json} or the seed's
 * plain text), each encoded at most once however many sessions receive it: a broadcast to 5,000 JSON and text
 * connections costs two encodings. JSON frames are
 * {@code {"type":"message","stream":S,"epoch":E,"offset":N,"content":C}}, without epoch and offset for the
 * {@value #CONNECTION} stream (targeted pushes, which are not recoverable). Not thread-safe: one per
 * delivery, on the thread that delivers.
 */
final class Frames {
    /** The stream of broadcasts. */
    static final String BROADCAST = "broadcast";
    /** The prefix of a group's stream. */
    static final String GROUP_PREFIX = "group:";
    /** The prefix of a user's stream (pushes to that user, {@code to_uid}). */
    static final String USER_PREFIX = "uid:";
    /** The pseudo-stream of pushes to one connection: no position, not recoverable. */
    static final String CONNECTION = "connection";

    private final String stream;
    private final StreamPosition position;
    private final String content;
    private final boolean many;
    private OutboundMessage text;
    private OutboundMessage json;

    /** @param position null for the {@value #CONNECTION} stream */
    Frames(String stream, StreamPosition position, String content, boolean many) {
        this.stream = stream;
        this.position = position;
        this.content = content;
        this.many = many;
    }

    String stream() {
        return stream;
    }

    StreamPosition position() {
        return position;
    }

    OutboundMessage forSession(PushSession s) {
        return s.json ? json() : text();
    }

    OutboundMessage text() {
        if (text == null) {
            text = many ? OutboundMessage.forMany(content) : OutboundMessage.forOne(content);
        }
        return text;
    }

    OutboundMessage json() {
        if (json == null) {
            String j = message(stream, position, content);
            json = many ? OutboundMessage.forMany(j) : OutboundMessage.forOne(j);
        }
        return json;
    }

    static String message(String stream, StreamPosition position, String content) {
        JsonObject o = new JsonObject();
        o.addProperty("type", "message");
        o.addProperty("stream", stream);
        if (position != null) {
            o.addProperty("epoch", position.epoch());
            o.addProperty("offset", position.offset());
        }
        o.addProperty("content", content);
        return o.toString();
    }

    /**
     * {@code {"type":"welcome","worker_id":W,"connection_id":C,"streams":{"broadcast":{"epoch":E,"offset":N},
     * "uid:U":{...}}}}; each stream only once the node has delivered one of its bus channel's messages, and without
     * {@code streams} when neither has a position.
     *
     * @param broadcast the last broadcast position the node delivered, or null
     * @param uid the connection's user id (from its token), or null
     * @param users the last {@code u} position the node delivered, or null
     */
    static String welcome(String workerId, long connectionId, StreamPosition broadcast, String uid,
                          StreamPosition users) {
        JsonObject o = new JsonObject();
        o.addProperty("type", "welcome");
        o.addProperty("worker_id", workerId);
        o.addProperty("connection_id", connectionId);
        JsonObject streams = new JsonObject();
        if (broadcast != null) {
            streams.add(BROADCAST, position(broadcast));
        }
        if (uid != null && users != null) {
            streams.add(USER_PREFIX + uid, position(users));
        }
        if (!streams.isEmpty()) {
            o.add("streams", streams);
        }
        return o.toString();
    }

    /**
     * A {@code recover}'s answer, {@code {"type":"recovered","streams":{"<stream>":true|false,...},"id":...}}.
     *
     * @param id the command's {@code id}, or null
     */
    static String recovered(Map<String, Boolean> results, JsonElement id) {
        JsonObject streams = new JsonObject();
        results.forEach(streams::addProperty);
        JsonObject o = new JsonObject();
        o.addProperty("type", "recovered");
        o.add("streams", streams);
        if (id != null) {
            o.add("id", id);
        }
        return o.toString();
    }

    /** {@code {"<stream>":{"epoch":E,"offset":N}}}: a position a client may later give to {@code recover}. */
    static JsonObject streams(String stream, StreamPosition p) {
        JsonObject o = new JsonObject();
        o.add(stream, position(p));
        return o;
    }

    private static JsonObject position(StreamPosition p) {
        JsonObject pos = new JsonObject();
        pos.addProperty("epoch", p.epoch());
        pos.addProperty("offset", p.offset());
        return pos;
    }
}
