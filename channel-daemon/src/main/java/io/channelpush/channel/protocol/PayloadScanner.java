package io.channelpush.channel.protocol;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The strict streaming scan behind {@link RawFrame#scan}: one pass over a frame body's bytes that checks it is strict
 * JSON (with {@link StrictJsonReader}) and notes where the top-level routing fields and {@code data} are, without
 * building anything. A body that is not strict JSON or not for the fast path is {@link Rejected} inside the scan;
 * that never escapes {@link #frame}. Not thread-safe; one per scan.
 */
final class PayloadScanner extends StrictJsonReader {
    PayloadScanner(byte[] body) {
        super(body);
    }

    /** The frame, or null when the body is not for the fast path. */
    RawFrame frame() {
        try {
            return scan();
        } catch (Rejected e) {
            return null;
        }
    }

    private RawFrame scan() throws Rejected {
        MessageType type = null;
        List<RawFrame.Span> channels = null;
        RawFrame.Span channel = null;
        RawFrame.Span queue = null;
        int dataStart = -1;
        int dataEnd = -1;
        long id = RawFrame.NO_ID;
        long offset = RawFrame.NO_ID;
        ws();
        expect('{');
        ws();
        if (peek() != '}') {
            while (true) {
                int keyStart = pos;
                string();
                if (escaped) {
                    throw Rejected.INSTANCE;
                }
                int keyEnd = pos;
                ws();
                expect(':');
                ws();
                if (is(keyStart, keyEnd, "type")) {
                    if (type != null) {
                        throw Rejected.INSTANCE;
                    }
                    type = type(ascii(name()));
                } else if (is(keyStart, keyEnd, "channels")) {
                    if (channels != null) {
                        throw Rejected.INSTANCE;
                    }
                    channels = names();
                } else if (is(keyStart, keyEnd, "channel")) {
                    if (channel != null) {
                        throw Rejected.INSTANCE;
                    }
                    channel = name();
                } else if (is(keyStart, keyEnd, "queue")) {
                    if (queue != null) {
                        throw Rejected.INSTANCE;
                    }
                    queue = name();
                } else if (is(keyStart, keyEnd, "id")) {
                    if (id != RawFrame.NO_ID) {
                        throw Rejected.INSTANCE;
                    }
                    id = id();
                } else if (is(keyStart, keyEnd, "offset")) {
                    if (offset != RawFrame.NO_ID) {
                        throw Rejected.INSTANCE;
                    }
                    offset = id();
                } else if (is(keyStart, keyEnd, "data")) {
                    if (dataStart >= 0) {
                        throw Rejected.INSTANCE;
                    }
                    dataStart = pos;
                    value();
                    dataEnd = pos;
                } else {
                    value();
                }
                ws();
                if (peek() == ',') {
                    pos++;
                    ws();
                    continue;
                }
                expect('}');
                break;
            }
        } else {
            pos++;
        }
        ws();
        if (pos != b.length || type == null || dataStart < 0) {
            throw Rejected.INSTANCE;
        }
        // the field Message.parse would read for this type; others of the three are ignored, as there
        RawFrame.Span one = type == MessageType.EVENT ? channel : queue;
        List<RawFrame.Span> addressed = type == MessageType.PUBLISH ? channels : one == null ? null : List.of(one);
        if (addressed == null || nonAscii && !validUtf8()) {
            throw Rejected.INSTANCE;
        }
        return new RawFrame(type, b, addressed, dataStart, dataEnd, id, offset);
    }

    /**
     * A publish's {@code id} or an event's {@code offset}: a non-negative integer of at most 18 digits (else
     * {@link Message#parse} decides).
     */
    private long id() throws Rejected {
        int start = pos;
        long v = 0;
        while (pos < b.length && b[pos] >= '0' && b[pos] <= '9') {
            v = v * 10 + (b[pos++] - '0');
        }
        int n = pos - start;
        if (n == 0 || n > 18 || (n > 1 && b[start] == '0')) {
            throw Rejected.INSTANCE;
        }
        return v;
    }

    private static MessageType type(String wire) throws Rejected {
        MessageType t = MessageType.fromWire(wire);
        if (t != MessageType.PUBLISH && t != MessageType.ENQUEUE && t != MessageType.EVENT && t != MessageType.JOB) {
            throw Rejected.INSTANCE;
        }
        return t;
    }

    private String ascii(RawFrame.Span s) {
        return new String(b, s.start() + 1, s.end() - s.start() - 2, StandardCharsets.US_ASCII);
    }

    /** A string of printable ASCII without escapes: a channel or queue name the fast path can copy. */
    private RawFrame.Span name() throws Rejected {
        int start = pos;
        boolean before = nonAscii;
        nonAscii = false;
        string();
        if (escaped || nonAscii) {
            throw Rejected.INSTANCE;
        }
        nonAscii = before;
        return new RawFrame.Span(start, pos);
    }

    private List<RawFrame.Span> names() throws Rejected {
        expect('[');
        List<RawFrame.Span> out = new ArrayList<>(2);
        ws();
        if (peek() == ']') {
            throw Rejected.INSTANCE; // empty: Message.parse names the error
        }
        while (true) {
            out.add(name());
            ws();
            if (peek() == ',') {
                pos++;
                ws();
                continue;
            }
            expect(']');
            return out;
        }
    }
}
