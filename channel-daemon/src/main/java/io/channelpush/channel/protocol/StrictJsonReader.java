package io.channelpush.channel.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Steps over strict JSON (RFC 8259) in a byte array without building anything: whitespace, strings (noting escapes
 * and non-ASCII bytes), and whole values of any nesting up to {@link RawFrame#MAX_DEPTH}, iteratively, so depth costs
 * no stack. Whatever is not strict JSON, or ends early, throws {@link Rejected}. {@link PayloadScanner} reads a frame's
 * routing fields with it. Not thread-safe; one per byte array.
 */
abstract class StrictJsonReader {
    /** Thrown when the bytes are not accepted; preallocated and without a stack trace, as rejection is common. */
    static final class Rejected extends Exception {
        static final Rejected INSTANCE = new Rejected();

        private Rejected() {
            super(null, null, false, false);
        }
    }

    final byte[] b;
    /** The next byte to read. */
    int pos;
    /** Whether a string read so far held a byte above ASCII (the whole array is then checked as UTF-8). */
    boolean nonAscii;
    /** Whether the last string read held an escape. */
    boolean escaped;

    StrictJsonReader(byte[] bytes) {
        this.b = bytes;
    }

    /** Skips one value, checking it strictly; iterative, so depth costs no stack. */
    void value() throws Rejected {
        long objects = 0; // bit i set: level i is an object (levels past 63 are tracked in the array)
        boolean[] deep = null;
        int depth = 0;
        while (true) {
            byte c = peek();
            boolean done;
            if (c == '{' || c == '[') {
                if (++depth > RawFrame.MAX_DEPTH) {
                    throw Rejected.INSTANCE;
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
                    throw Rejected.INSTANCE;
                }
            }
            if (done) {
                return;
            }
        }
    }

    /** A member's name and colon; the value follows. */
    private void member() throws Rejected {
        string();
        ws();
        expect(':');
        ws();
    }

    private void scalar(byte c) throws Rejected {
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
            throw Rejected.INSTANCE;
        }
    }

    void string() throws Rejected {
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
                throw Rejected.INSTANCE;
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
                throw Rejected.INSTANCE; // a control character
            }
        }
    }

    private void escape() throws Rejected {
        byte e = next();
        if (e == 'u') {
            for (int i = 0; i < 4; i++) {
                byte h = next();
                if (!((h >= '0' && h <= '9') || (h >= 'a' && h <= 'f') || (h >= 'A' && h <= 'F'))) {
                    throw Rejected.INSTANCE;
                }
            }
        } else if (e != '"' && e != '\\' && e != '/' && e != 'b' && e != 'f' && e != 'n' && e != 'r' && e != 't') {
            throw Rejected.INSTANCE;
        }
    }

    private void number() throws Rejected {
        if (peek() == '-') {
            pos++;
        }
        byte c = next();
        if (c == '0') {
            // no leading zeros
        } else if (c >= '1' && c <= '9') {
            digits(false);
        } else {
            throw Rejected.INSTANCE;
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

    private void digits(boolean atLeastOne) throws Rejected {
        int start = pos;
        while (pos < b.length && b[pos] >= '0' && b[pos] <= '9') {
            pos++;
        }
        if (atLeastOne && pos == start) {
            throw Rejected.INSTANCE;
        }
    }

    private void literal(String word) throws Rejected {
        for (int i = 0; i < word.length(); i++) {
            if (next() != word.charAt(i)) {
                throw Rejected.INSTANCE;
            }
        }
    }

    void ws() {
        while (pos < b.length && (b[pos] == ' ' || b[pos] == '\n' || b[pos] == '\r' || b[pos] == '\t')) {
            pos++;
        }
    }

    byte peek() throws Rejected {
        if (pos >= b.length) {
            throw Rejected.INSTANCE;
        }
        return b[pos];
    }

    byte next() throws Rejected {
        if (pos >= b.length) {
            throw Rejected.INSTANCE;
        }
        return b[pos++];
    }

    void expect(char c) throws Rejected {
        if (next() != c) {
            throw Rejected.INSTANCE;
        }
    }

    /** True when the string literal at [start, end) is {@code "word"}. */
    boolean is(int start, int end, String word) {
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

    boolean validUtf8() {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }
}
