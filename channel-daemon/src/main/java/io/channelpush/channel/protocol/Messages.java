package io.channelpush.channel.protocol;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Map;

/**
 * Builds the frames of protocol v1 (prefix included), in both directions. Stateless and thread-safe.
 * Payloads ({@code data}) are written as JSON text once; a publish fanned out to many subscribers shares
 * one encoded event frame.
 */
public final class Messages {
    /** The protocol version this code speaks. */
    public static final int PROTOCOL_VERSION = 1;

    private Messages() {
    }

    public static byte[] hello(String client, String secret) {
        return hello(client, secret, PROTOCOL_VERSION);
    }

    /** A hello asking for protocol {@code protocol} (2: acknowledged publishes, streams; see PROTOCOL.md). */
    public static byte[] hello(String client, String secret, int protocol) {
        JsonObject o = typed(MessageType.HELLO);
        o.addProperty("protocol", protocol);
        o.addProperty("client", client);
        if (secret != null) {
            o.addProperty("secret", secret);
        }
        return FrameCodec.encode(o.toString());
    }

    public static byte[] welcome(String server) {
        JsonObject o = typed(MessageType.WELCOME);
        o.addProperty("protocol", PROTOCOL_VERSION);
        o.addProperty("server", server);
        return FrameCodec.encode(o.toString());
    }

    public static byte[] subscribe(Collection<String> channels) {
        return names(MessageType.SUBSCRIBE, "channels", channels);
    }

    public static byte[] unsubscribe(Collection<String> channels) {
        return names(MessageType.UNSUBSCRIBE, "channels", channels);
    }

    public static byte[] watch(Collection<String> queues) {
        return names(MessageType.WATCH, "queues", queues);
    }

    public static byte[] unwatch(Collection<String> queues) {
        return names(MessageType.UNWATCH, "queues", queues);
    }

    /** A publish; {@code dataJson} must be valid JSON text. */
    public static byte[] publish(Collection<String> channels, String dataJson) {
        return FrameCodec.encode("{\"type\":\"publish\",\"channels\":" + array(channels) + ",\"data\":" + dataJson + "}");
    }

    /** A publish to one channel of data already encoded as UTF-8 JSON, copied once into the frame. */
    public static byte[] publish(String channel, byte[] dataJson) {
        byte[] head = ("{\"type\":\"publish\",\"channels\":[" + quote(channel) + "],\"data\":")
                .getBytes(StandardCharsets.UTF_8);
        int bodyLength = head.length + dataJson.length + 1;
        byte[] frame = new byte[FrameCodec.HEADER_BYTES + bodyLength];
        FrameCodec.putLength(frame, bodyLength);
        System.arraycopy(head, 0, frame, FrameCodec.HEADER_BYTES, head.length);
        System.arraycopy(dataJson, 0, frame, FrameCodec.HEADER_BYTES + head.length, dataJson.length);
        frame[frame.length - 1] = '}';
        return frame;
    }

    /**
     * Protocol 2: a publish to one channel that the daemon acknowledges ({@code ack} or an {@code error} with the same
     * {@code id}); {@code dataJson} is copied once into the frame.
     */
    public static byte[] publish(String channel, byte[] dataJson, long id) {
        byte[] head = ("{\"type\":\"publish\",\"id\":" + id + ",\"channels\":[" + quote(channel) + "],\"data\":")
                .getBytes(StandardCharsets.UTF_8);
        int bodyLength = head.length + dataJson.length + 1;
        byte[] frame = new byte[FrameCodec.HEADER_BYTES + bodyLength];
        FrameCodec.putLength(frame, bodyLength);
        System.arraycopy(head, 0, frame, FrameCodec.HEADER_BYTES, head.length);
        System.arraycopy(dataJson, 0, frame, FrameCodec.HEADER_BYTES + head.length, dataJson.length);
        frame[frame.length - 1] = '}';
        return frame;
    }

    /**
     * Protocol 2: a subscribe that resumes streams: {@code from} maps a stream channel to the epoch and offset after
     * which to resume.
     */
    public static byte[] subscribe(Collection<String> channels, Map<String, Map.Entry<String, Long>> from) {
        JsonObject o = typed(MessageType.SUBSCRIBE);
        o.add("channels", array(channels));
        JsonObject f = new JsonObject();
        from.forEach((channel, position) -> f.add(channel, position(position.getKey(), position.getValue())));
        o.add("from", f);
        return FrameCodec.encode(o.toString());
    }

    /**
     * Protocol 2: a page of a stream's retained events after {@code epoch}/{@code offset} (from the oldest when
     * {@code epoch} is null).
     */
    public static byte[] history(long id, String channel, String epoch, long offset, int limit) {
        JsonObject o = typed(MessageType.HISTORY);
        o.addProperty("id", id);
        o.addProperty("channel", channel);
        if (epoch != null) {
            o.add("after", position(epoch, offset));
        }
        o.addProperty("limit", limit);
        return FrameCodec.encode(o.toString());
    }

    private static JsonObject position(String epoch, long offset) {
        JsonObject p = new JsonObject();
        p.addProperty("epoch", epoch);
        p.addProperty("offset", offset);
        return p;
    }

    /** An enqueue; {@code dataJson} must be valid JSON text. */
    public static byte[] enqueue(String queue, String dataJson) {
        return FrameCodec.encode("{\"type\":\"enqueue\",\"queue\":" + quote(queue) + ",\"data\":" + dataJson + "}");
    }

    /** An event; {@code dataJson} must be valid JSON text. */
    public static byte[] event(String channel, String dataJson) {
        return FrameCodec.encode("{\"type\":\"event\",\"channel\":" + quote(channel) + ",\"data\":" + dataJson + "}");
    }

    /** A job (one queue item); {@code dataJson} must be valid JSON text. */
    public static byte[] job(String queue, String dataJson) {
        return FrameCodec.encode("{\"type\":\"job\",\"queue\":" + quote(queue) + ",\"data\":" + dataJson + "}");
    }

    public static byte[] error(ErrorCode code, String message) {
        JsonObject o = typed(MessageType.ERROR);
        o.addProperty("code", code.wireName());
        o.addProperty("message", message);
        return FrameCodec.encode(o.toString());
    }

    /** An error about one channel (for example {@link ErrorCode#NAME_CLAIMED}), naming it in a {@code channel} field. */
    public static byte[] error(ErrorCode code, String message, String channel) {
        JsonObject o = typed(MessageType.ERROR);
        o.addProperty("code", code.wireName());
        o.addProperty("message", message);
        o.addProperty("channel", channel);
        return FrameCodec.encode(o.toString());
    }

    /** A claim: subscribe to {@code channel} as its only claimant. */
    public static byte[] claim(String channel) {
        return channelOnly(MessageType.CLAIM, channel);
    }

    /** The answer to a successful claim. */
    public static byte[] claimed(String channel) {
        return channelOnly(MessageType.CLAIMED, channel);
    }

    private static byte[] channelOnly(MessageType type, String channel) {
        JsonObject o = typed(type);
        o.addProperty("channel", channel);
        return FrameCodec.encode(o.toString());
    }

    public static byte[] simple(MessageType type) {
        return FrameCodec.encode(typed(type).toString());
    }

    /** Wraps an already-built JSON object (its {@code type} must be set). */
    public static byte[] of(JsonObject o) {
        return FrameCodec.encode(o.toString());
    }

    /** A JSON string literal, escaped. */
    public static String quote(String s) {
        return new JsonPrimitive(s).toString();
    }

    private static JsonArray array(Collection<String> names) {
        JsonArray a = new JsonArray(names.size());
        for (String n : names) {
            a.add(n);
        }
        return a;
    }

    private static byte[] names(MessageType type, String field, Collection<String> names) {
        JsonObject o = typed(type);
        o.add(field, array(names));
        return FrameCodec.encode(o.toString());
    }

    private static JsonObject typed(MessageType type) {
        JsonObject o = new JsonObject();
        o.addProperty("type", type.wireName());
        return o;
    }
}
