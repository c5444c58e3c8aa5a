package io.channelpush.channel.protocol;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A frame that carries a payload ({@code publish}, {@code enqueue}, {@code event}, {@code job}) read without
 * building a JSON tree: one strict streaming scan of the body's bytes finds the top-level fields and keeps
 * {@code data} as the span of bytes it occupies, so that it can be forwarded verbatim (spliced into the frame that
 * carries it on) instead of being parsed and written out again.
 *
 * <p>The scan takes only what it can forward faithfully: strict JSON (RFC 8259), valid UTF-8, names (channels,
 * queue) of printable ASCII without escapes, no repeated routing field, nesting at most {@link #MAX_DEPTH}.
 * Anything else makes {@link #scan} return {@code null}, and the caller falls back to {@link Message#parse}, which
 * accepts what protocol v1 always accepted and names the error of what it refuses. So this is a fast path, not a
 * second dialect. Immutable; shares the body array it was scanned from (which must not change afterwards).
 */
public final class RawFrame {
    /** Deepest nesting the scan follows; deeper bodies go to {@link Message#parse} (Gson allows 255). */
    public static final int MAX_DEPTH = 200;

    private final MessageType type;
    private final byte[] body;
    private final List<Span> names;
    private final int dataStart;
    private final int dataEnd;
    private final long id;
    private final long offset;

    /** {@link #id()} of a frame without an {@code id}. */
    public static final long NO_ID = -1;

    /** The bytes of one JSON string literal in the body, quotes included. */
    record Span(int start, int end) {
    }

    RawFrame(MessageType type, byte[] body, List<Span> names, int dataStart, int dataEnd, long id, long offset) {
        this.id = id;
        this.offset = offset;
        this.type = type;
        this.body = body;
        this.names = names;
        this.dataStart = dataStart;
        this.dataEnd = dataEnd;
    }

    /**
     * Scans a frame body.
     *
     * @return the frame, or {@code null} when it is not a well-formed payload frame this scan takes (then
     *     {@link Message#parse} decides, and names the error if there is one)
     */
    public static RawFrame scan(byte[] body) {
        return new PayloadScanner(body).frame();
    }

    public MessageType type() {
        return type;
    }

    /** The publish's {@code id} (protocol version 2), or {@link #NO_ID}. */
    public long id() {
        return id;
    }

    /** The event's {@code offset} (protocol version 2, a stream channel), or {@link #NO_ID} (-1). */
    public long offset() {
        return offset;
    }

    /** Body bytes: what the frame costs to hold. */
    public int size() {
        return body.length;
    }

    /** The names the frame addresses: the channels of a publish, else the one channel or queue. */
    public List<String> names() {
        List<String> out = new ArrayList<>(names.size());
        for (Span s : names) {
            out.add(new String(body, s.start + 1, s.end - s.start - 2, StandardCharsets.US_ASCII));
        }
        return out;
    }

    /** The one channel ({@code event}) or queue ({@code enqueue}, {@code job}). */
    public String name() {
        Span s = names.get(0);
        return new String(body, s.start + 1, s.end - s.start - 2, StandardCharsets.US_ASCII);
    }

    /** A copy of the {@code data} value's bytes, exactly as received. */
    public byte[] data() {
        byte[] out = new byte[dataEnd - dataStart];
        System.arraycopy(body, dataStart, out, 0, out.length);
        return out;
    }

    /**
     * The frame (prefix included) that carries this frame's {@code data}, byte for byte, on to a receiver:
     * {@code {"type":"<type>","<field>":"<name i>","data":<data>}}.
     *
     * @param type {@link MessageType#EVENT} or {@link MessageType#JOB}
     * @param field {@code channel} or {@code queue}
     * @param nameIndex which of {@link #names()} to name
     */
    public byte[] splice(MessageType type, String field, int nameIndex) {
        Span n = names.get(nameIndex);
        byte[] head = ("{\"type\":\"" + type.wireName() + "\",\"" + field + "\":").getBytes(StandardCharsets.US_ASCII);
        int bodyLength = head.length + (n.end - n.start) + DATA.length + (dataEnd - dataStart) + 1;
        byte[] frame = new byte[FrameCodec.HEADER_BYTES + bodyLength];
        FrameCodec.putLength(frame, bodyLength);
        int at = FrameCodec.HEADER_BYTES;
        System.arraycopy(head, 0, frame, at, head.length);
        at += head.length;
        System.arraycopy(body, n.start, frame, at, n.end - n.start);
        at += n.end - n.start;
        System.arraycopy(DATA, 0, frame, at, DATA.length);
        at += DATA.length;
        System.arraycopy(body, dataStart, frame, at, dataEnd - dataStart);
        frame[frame.length - 1] = '}';
        return frame;
    }

    /**
     * The {@code event} frame of a stream channel for the i-th name: {@code {"type":"event","channel":C,"offset":N,
     * "data":D}}, the name and data copied byte for byte.
     */
    public byte[] spliceEvent(int nameIndex, long offset) {
        Span n = names.get(nameIndex);
        byte[] tail = (",\"offset\":" + offset + ",\"data\":").getBytes(StandardCharsets.US_ASCII);
        int bodyLength = EVENT_HEAD.length + (n.end - n.start) + tail.length + (dataEnd - dataStart) + 1;
        byte[] frame = new byte[FrameCodec.HEADER_BYTES + bodyLength];
        FrameCodec.putLength(frame, bodyLength);
        int at = FrameCodec.HEADER_BYTES;
        System.arraycopy(EVENT_HEAD, 0, frame, at, EVENT_HEAD.length);
        at += EVENT_HEAD.length;
        System.arraycopy(body, n.start, frame, at, n.end - n.start);
        at += n.end - n.start;
        System.arraycopy(tail, 0, frame, at, tail.length);
        at += tail.length;
        System.arraycopy(body, dataStart, frame, at, dataEnd - dataStart);
        frame[frame.length - 1] = '}';
        return frame;
    }

    private static final byte[] EVENT_HEAD = "{\"type\":\"event\",\"channel\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DATA = ",\"data\":".getBytes(StandardCharsets.US_ASCII);
}
