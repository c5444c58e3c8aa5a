package io.channelpush.channel.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
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

    /** The bytes of one JSON string literal in the body, quotes included. */
    private record Span(int start, int end) {
    }

    private RawFrame(MessageType type, byte[] body, List<Span> names, int dataStart, int dataEnd) {
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
        try {
            return new Scanner(body).frame();
        } catch (NotFast e) {
            return null;
        }
    }

    public MessageType type() {
        return type;
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

    private static final byte[] DATA = ",\"data\":".getBytes(StandardCharsets.US_ASCII);

    /** Thrown inside the scan when the body is not for the fast path; never escapes {@link #scan}. */
    private static final class NotFast extends Exception {
        private static final NotFast INSTANCE = new NotFast();

        private NotFast() {
            super(null, null, false, false);
        }
    }

    /** One pass over a body. Not thread-safe; one per scan. */
    private static final class Scanner {
        private final byte[] b;
        private int pos;
        private boolean nonAscii;
        private boolean escaped;

        Scanner(byte[] body) {
            this.b = body;
        }

        RawFrame frame() throws NotFast {
            MessageType type = null;
            List<Span> channels = null;
            Span channel = null;
            Span queue = null;
            int dataStart = -1;
            int dataEnd = -1;
            ws();
            expect('{');
            ws();
            if (peek() != '}') {
                while (true) {
                    int keyStart = pos;
                    string();
                    if (escaped) {
                        throw NotFast.INSTANCE;
                    }
                    int keyEnd = pos;
                    ws();
                    expect(':');
                    ws();
                    if (is(keyStart, keyEnd, "type")) {
                        if (type != null) {
                            throw NotFast.INSTANCE;
                        }
                        type = type(ascii(name()));
                    } else if (is(keyStart, keyEnd, "channels")) {
                        if (channels != null) {
                            throw NotFast.INSTANCE;
                        }
                        channels = names();
                    } else if (is(keyStart, keyEnd, "channel")) {
                        if (channel != null) {
                            throw NotFast.INSTANCE;
                        }
                        channel = name();
                    } else if (is(keyStart, keyEnd, "queue")) {
                        if (queue != null) {
                            throw NotFast.INSTANCE;
                        }
                        queue = name();
                    } else if (is(keyStart, keyEnd, "data")) {
                        if (dataStart >= 0) {
                            throw NotFast.INSTANCE;
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
                throw NotFast.INSTANCE;
            }
            // the field Message.parse would read for this type; others of the three are ignored, as there
            Span one = type == MessageType.EVENT ? channel : queue;
            List<Span> addressed = type == MessageType.PUBLISH ? channels : one == null ? null : List.of(one);
            if (addressed == null || nonAscii && !validUtf8()) {
                throw NotFast.INSTANCE;
            }
            return new RawFrame(type, b, addressed, dataStart, dataEnd);
        }

        private static MessageType type(String wire) throws NotFast {
            MessageType t = MessageType.fromWire(wire);
            if (t != MessageType.PUBLISH && t != MessageType.ENQUEUE && t != MessageType.EVENT && t != MessageType.JOB) {
                throw NotFast.INSTANCE;
            }
            return t;
        }

        private String ascii(Span s) {
            return new String(b, s.start + 1, s.end - s.start - 2, StandardCharsets.US_ASCII);
        }

        /** A string of printable ASCII without escapes: a channel or queue name the fast path can copy. */
        private Span name() throws NotFast {
            int start = pos;
            boolean before = nonAscii;
            nonAscii = false;
            string();
            if (escaped || nonAscii) {
                throw NotFast.INSTANCE;
            }
            nonAscii = before;
            return new Span(start, pos);
        }

        private List<Span> names() throws NotFast {
            expect('[');
            List<Span> out = new ArrayList<>(2);
            ws();
            if (peek() == ']') {
                throw NotFast.INSTANCE; // empty: Message.parse names the error
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

        /** Skips one value, checking it strictly; iterative, so depth costs no stack. */
        private void value() throws NotFast {
            long objects = 0; // bit i set: level i is an object (levels past 63 are tracked in the array)
            boolean[] deep = null;
            int depth = 0;
            while (true) {
                byte c = peek();
                boolean done;
                if (c == '{' || c == '[') {
                    if (++depth > MAX_DEPTH) {
                        throw NotFast.INSTANCE;
                    }
                    boolean object = c == '{';
                    if (depth <= 63) {
                        objects = object ? objects | (1L << depth) : objects & ~(1L << depth);
                    } else {
                        deep = deep == null ? new boolean[MAX_DEPTH + 1] : deep;
                        deep[depth] = object;
                    }
                    pos++;
                    ws();
                    if (peek() == (object ? '}' : ']')) {
                        pos++;
                        depth--;
                        done = true;
                    } else {
                        if (object) {
                            member();
                        }
                        continue;
                    }
                } else {
                    scalar(c);
                    done = true;
                }
                // after a complete value: close containers or move to the next element
                while (done && depth > 0) {
                    boolean object = depth <= 63 ? (objects & (1L << depth)) != 0 : deep[depth];
                    ws();
                    byte n = peek();
                    if (n == ',') {
                        pos++;
                        ws();
                        if (object) {
                            member();
                        }
                        done = false;
                    } else if (n == (object ? '}' : ']')) {
                        pos++;
                        depth--;
                    } else {
                        throw NotFast.INSTANCE;
                    }
                }
                if (done) {
                    return;
                }
            }
        }

        /** A member's name and colon; the value follows. */
        private void member() throws NotFast {
            string();
            ws();
            expect(':');
            ws();
        }

        private void scalar(byte c) throws NotFast {
            if (c == '"') {
                string();
            } else if (c == '-' || (c >= '0' && c <= '9')) {
                number();
            } else if (c == 't') {
                literal("true");
            } else if (c == 'f') {
                literal("false");
            } else if (c == 'n') {
                literal("null");
            } else {
                throw NotFast.INSTANCE;
            }
        }

        private void string() throws NotFast {
            expect('"');
            escaped = false;
            byte[] b = this.b;
            int p = pos;
            while (true) {
                // the common run of plain characters, in one tight loop (a 1 MB string is mostly this)
                byte c = 0;
                while (p < b.length && (c = b[p]) >= 0x20 && c != '"' && c != '\\') {
                    p++;
                }
                if (p >= b.length) {
                    throw NotFast.INSTANCE;
                }
                p++;
                if (c == '"') {
                    pos = p;
                    return;
                }
                if (c < 0) {
                    nonAscii = true;
                } else if (c == '\\') {
                    escaped = true;
                    pos = p;
                    escape();
                    p = pos;
                } else {
                    throw NotFast.INSTANCE; // a control character
                }
            }
        }

        private void escape() throws NotFast {
            byte e = next();
            if (e == 'u') {
                for (int i = 0; i < 4; i++) {
                    byte h = next();
                    if (!((h >= '0' && h <= '9') || (h >= 'a' && h <= 'f') || (h >= 'A' && h <= 'F'))) {
                        throw NotFast.INSTANCE;
                    }
                }
            } else if (e != '"' && e != '\\' && e != '/' && e != 'b' && e != 'f' && e != 'n' && e != 'r' && e != 't') {
                throw NotFast.INSTANCE;
            }
        }

        private void number() throws NotFast {
            if (peek() == '-') {
                pos++;
            }
            byte c = next();
            if (c == '0') {
                // no leading zeros
            } else if (c >= '1' && c <= '9') {
                digits(false);
            } else {
                throw NotFast.INSTANCE;
            }
            if (pos < b.length && b[pos] == '.') {
                pos++;
                digits(true);
            }
            if (pos < b.length && (b[pos] == 'e' || b[pos] == 'E')) {
                pos++;
                if (pos < b.length && (b[pos] == '+' || b[pos] == '-')) {
                    pos++;
                }
                digits(true);
            }
        }

        private void digits(boolean atLeastOne) throws NotFast {
            int start = pos;
            while (pos < b.length && b[pos] >= '0' && b[pos] <= '9') {
                pos++;
            }
            if (atLeastOne && pos == start) {
                throw NotFast.INSTANCE;
            }
        }

        private void literal(String word) throws NotFast {
            for (int i = 0; i < word.length(); i++) {
                if (next() != word.charAt(i)) {
                    throw NotFast.INSTANCE;
                }
            }
        }

        private void ws() {
            while (pos < b.length && (b[pos] == ' ' || b[pos] == '\n' || b[pos] == '\r' || b[pos] == '\t')) {
                pos++;
            }
        }

        private byte peek() throws NotFast {
            if (pos >= b.length) {
                throw NotFast.INSTANCE;
            }
            return b[pos];
        }

        private byte next() throws NotFast {
            if (pos >= b.length) {
                throw NotFast.INSTANCE;
            }
            return b[pos++];
        }

        private void expect(char c) throws NotFast {
            if (next() != c) {
                throw NotFast.INSTANCE;
            }
        }

        /** True when the string literal at [start, end) is {@code "word"}. */
        private boolean is(int start, int end, String word) {
            if (end - start != word.length() + 2) {
                return false;
            }
            for (int i = 0; i < word.length(); i++) {
                if (b[start + 1 + i] != word.charAt(i)) {
                    return false;
                }
            }
            return true;
        }

        private boolean validUtf8() {
            try {
                StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b));
                return true;
            } catch (CharacterCodingException e) {
                return false;
            }
        }
    }
}
