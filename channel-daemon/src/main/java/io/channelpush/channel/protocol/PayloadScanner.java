package io.channelpush.channel.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The strict streaming scan behind {@link RawFrame#scan}: one pass over a frame body's bytes that checks it is strict
 * JSON and notes where the top-level routing fields and {@code data} are, without building anything. Iterative, so
 * nesting costs no stack. Not thread-safe; one per scan.
 */
final class PayloadScanner {
    /** Thrown inside the scan when the body is not for the fast path; never escapes {@link #frame}. */
    private static final class NotFast extends Exception {
        private static final NotFast INSTANCE = new NotFast();

        private NotFast() {
            super(null, null, false, false);
        }
    }

    private final byte[] b;
    private int pos;
    private boolean nonAscii;
    private boolean escaped;

    PayloadScanner(byte[] body) {
        this.b = body;
    }

    /** The frame, or null when the body is not for the fast path. */
    RawFrame frame() {
        try {
            return scan();
        } catch (NotFast e) {
            return null;
        }
    }

    private RawFrame scan() throws NotFast {
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
                } else if (is(keyStart, keyEnd, "id")) {
                    if (id != RawFrame.NO_ID) {
                        throw NotFast.INSTANCE;
                    }
                    id = id();
                } else if (is(keyStart, keyEnd, "offset")) {
                    if (offset != RawFrame.NO_ID) {
                        throw NotFast.INSTANCE;
                    }
                    offset = id();
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
        RawFrame.Span one = type == MessageType.EVENT ? channel : queue;
        List<RawFrame.Span> addressed = type == MessageType.PUBLISH ? channels : one == null ? null : List.of(one);
        if (addressed == null || nonAscii && !validUtf8()) {
            throw NotFast.INSTANCE;
        }
        return new RawFrame(type, b, addressed, dataStart, dataEnd, id, offset);
    }

    /**
     * A publish's {@code id} or an event's {@code offset}: a non-negative integer of at most 18 digits (else
     * {@link Message#parse} decides).
     */
    private long id() throws NotFast {
        int start = pos;
        long v = 0;
        while (pos < b.length && b[pos] >= '0' && b[pos] <= '9') {
            v = v * 10 + (b[pos++] - '0');
        }
        int n = pos - start;
        if (n == 0 || n > 18 || (n > 1 && b[start] == '0')) {
            throw NotFast.INSTANCE;
        }
        return v;
    }

    private static MessageType type(String wire) throws NotFast {
        MessageType t = MessageType.fromWire(wire);
        if (t != MessageType.PUBLISH && t != MessageType.ENQUEUE && t != MessageType.EVENT && t != MessageType.JOB) {
            throw NotFast.INSTANCE;
        }
        return t;
    }

    private String ascii(RawFrame.Span s) {
        return new String(b, s.start() + 1, s.end() - s.start() - 2, StandardCharsets.US_ASCII);
    }

    /** A string of printable ASCII without escapes: a channel or queue name the fast path can copy. */
    private RawFrame.Span name() throws NotFast {
        int start = pos;
        boolean before = nonAscii;
        nonAscii = false;
        string();
        if (escaped || nonAscii) {
            throw NotFast.INSTANCE;
        }
        nonAscii = before;
        return new RawFrame.Span(start, pos);
    }

    private List<RawFrame.Span> names() throws NotFast {
        expect('[');
        List<RawFrame.Span> out = new ArrayList<>(2);
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
                if (++depth > RawFrame.MAX_DEPTH) {
                    throw NotFast.INSTANCE;
                }
                boolean object = c == '{';
                if (depth <= 63) {
                    objects = object ? objects | (1L << depth) : objects & ~(1L << depth);
                } else {
                    deep = deep == null ? new boolean[RawFrame.MAX_DEPTH + 1] : deep;
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
