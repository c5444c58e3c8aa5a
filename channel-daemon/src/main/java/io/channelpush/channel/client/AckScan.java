package io.channelpush.channel.client;

import java.nio.charset.StandardCharsets;

/**
 * A fast path for the most frequent frame a publisher receives under protocol 2: an {@code ack} as the daemon spells
 * it, {@code {"type":"ack","id":N,"offsets":{}}} or with one entry {@code {"C":M}}, read without building a JSON
 * tree. Anything else (other spacing, field order, escapes, several channels) is left to {@code Message.parse}.
 * Stateless.
 */
final class AckScan {
    /** An ack of one publish: its id and the offset of {@code channel}, or a null channel when it has none. */
    record Ack(long id, String channel, long offset) {
    }

    private static final byte[] HEAD = "{\"type\":\"ack\",\"id\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] OFFSETS = ",\"offsets\":{".getBytes(StandardCharsets.US_ASCII);

    private AckScan() {
    }

    /** The ack, or null when the body is not one in the daemon's own spelling. */
    static Ack scan(byte[] b) {
        if (!at(b, 0, HEAD)) {
            return null;
        }
        int pos = HEAD.length;
        int idEnd = digits(b, pos);
        if (idEnd < 0 || !at(b, idEnd, OFFSETS)) {
            return null;
        }
        long id = number(b, pos, idEnd);
        pos = idEnd + OFFSETS.length;
        if (pos + 2 == b.length && b[pos] == '}' && b[pos + 1] == '}') {
            return new Ack(id, null, 0);
        }
        if (pos >= b.length || b[pos] != '"') {
            return null;
        }
        int nameStart = ++pos;
        while (pos < b.length && b[pos] != '"') {
            if (b[pos] == '\\' || b[pos] < 0x20 || b[pos] < 0) {
                return null;
            }
            pos++;
        }
        int nameEnd = pos;
        if (pos + 1 >= b.length || b[pos + 1] != ':') {
            return null;
        }
        int offsetEnd = digits(b, pos + 2);
        if (offsetEnd < 0 || offsetEnd + 2 != b.length || b[offsetEnd] != '}' || b[offsetEnd + 1] != '}') {
            return null;
        }
        return new Ack(id, new String(b, nameStart, nameEnd - nameStart, StandardCharsets.US_ASCII),
                number(b, pos + 2, offsetEnd));
    }

    private static boolean at(byte[] b, int pos, byte[] expected) {
        if (b.length - pos < expected.length) {
            return false;
        }
        for (int i = 0; i < expected.length; i++) {
            if (b[pos + i] != expected[i]) {
                return false;
            }
        }
        return true;
    }

    /** The end of 1 to 18 digits starting at {@code pos} (no leading zero but "0"), or -1. */
    private static int digits(byte[] b, int pos) {
        int end = pos;
        while (end < b.length && b[end] >= '0' && b[end] <= '9') {
            end++;
        }
        int n = end - pos;
        return n == 0 || n > 18 || n > 1 && b[pos] == '0' ? -1 : end;
    }

    private static long number(byte[] b, int from, int to) {
        long v = 0;
        for (int i = from; i < to; i++) {
            v = v * 10 + (b[i] - '0');
        }
        return v;
    }
}
