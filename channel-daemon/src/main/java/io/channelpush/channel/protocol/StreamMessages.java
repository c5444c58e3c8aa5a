package io.channelpush.channel.protocol;

import com.google.gson.JsonObject;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Builds the daemon's frames of protocol version 2 (prefix included): {@code welcome} with the epoch, {@code event}
 * with an offset, {@code ack}, {@code error} with an id, {@code resumed} and {@code history_reply}. A stream event's
 * {@code data} is spliced in as the bytes the publisher sent. Stateless and thread-safe.
 */
public final class StreamMessages {
    /** The highest protocol version the daemon speaks. */
    public static final int PROTOCOL_VERSION = 2;

    private StreamMessages() {
    }

    /** One retained event: its offset and its {@code data} as JSON bytes. */
    public record Entry(long offset, byte[] data) {
    }

    public static byte[] welcome(String server, String epoch) {
        JsonObject o = new JsonObject();
        o.addProperty("type", MessageType.WELCOME.wireName());
        o.addProperty("protocol", PROTOCOL_VERSION);
        o.addProperty("server", server);
        o.addProperty("epoch", epoch);
        return FrameCodec.encode(o.toString());
    }

    /** An event of a stream channel: {@code {"type":"event","channel":C,"offset":N,"data":D}}. */
    public static byte[] event(String channel, long offset, byte[] data) {
        return frame(("{\"type\":\"event\",\"channel\":" + quote(channel) + ",\"offset\":" + offset
                + ",\"data\":").getBytes(StandardCharsets.UTF_8), data);
    }

    public static byte[] ack(long id, Map<String, Long> offsets) {
        StringBuilder b = new StringBuilder(48).append("{\"type\":\"ack\",\"id\":").append(id)
                .append(",\"offsets\":{");
        boolean first = true;
        for (Map.Entry<String, Long> e : offsets.entrySet()) {
            b.append(first ? "" : ",").append(quote(e.getKey())).append(':').append(e.getValue());
            first = false;
        }
        return FrameCodec.encode(b.append("}}").toString());
    }

    /** A JSON string literal; plain ASCII names (the usual channel) without going through Gson. */
    private static String quote(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
                return Messages.quote(s);
            }
        }
        return "\"" + s + "\"";
    }

    /** A non-fatal error answering the request with this {@code id}. */
    public static byte[] error(ErrorCode code, String message, long id) {
        JsonObject o = new JsonObject();
        o.addProperty("type", MessageType.ERROR.wireName());
        o.addProperty("code", code.wireName());
        o.addProperty("message", message);
        o.addProperty("id", id);
        return FrameCodec.encode(o.toString());
    }

    /**
     * The answer to a version 2 {@code subscribe} of a stream channel, sent before any of its events.
     *
     * @param head the last offset the stream assigned when the subscribe was handled (0 when none yet)
     */
    public static byte[] resumed(String channel, String epoch, boolean complete, long head) {
        JsonObject o = new JsonObject();
        o.addProperty("type", MessageType.RESUMED.wireName());
        o.addProperty("channel", channel);
        o.addProperty("epoch", epoch);
        o.addProperty("offset", head);
        o.addProperty("complete", complete);
        return FrameCodec.encode(o.toString());
    }

    public static byte[] historyReply(long id, String channel, String epoch, boolean complete, boolean more,
                                      List<Entry> events) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(("{\"type\":\"history_reply\",\"id\":" + id + ",\"channel\":" + Messages.quote(channel)
                + ",\"epoch\":" + Messages.quote(epoch) + ",\"complete\":" + complete + ",\"more\":" + more
                + ",\"events\":[").getBytes(StandardCharsets.UTF_8));
        for (int i = 0; i < events.size(); i++) {
            Entry e = events.get(i);
            b.writeBytes(((i == 0 ? "" : ",") + "{\"offset\":" + e.offset() + ",\"data\":")
                    .getBytes(StandardCharsets.US_ASCII));
            b.writeBytes(e.data());
            b.write('}');
        }
        b.writeBytes("]}".getBytes(StandardCharsets.US_ASCII));
        byte[] body = b.toByteArray();
        byte[] frame = new byte[FrameCodec.HEADER_BYTES + body.length];
        FrameCodec.putLength(frame, body.length);
        System.arraycopy(body, 0, frame, FrameCodec.HEADER_BYTES, body.length);
        return frame;
    }

    private static byte[] frame(byte[] head, byte[] data) {
        int bodyLength = head.length + data.length + 1;
        byte[] frame = new byte[FrameCodec.HEADER_BYTES + bodyLength];
        FrameCodec.putLength(frame, bodyLength);
        System.arraycopy(head, 0, frame, FrameCodec.HEADER_BYTES, head.length);
        System.arraycopy(data, 0, frame, FrameCodec.HEADER_BYTES + head.length, data.length);
        frame[frame.length - 1] = '}';
        return frame;
    }
}
