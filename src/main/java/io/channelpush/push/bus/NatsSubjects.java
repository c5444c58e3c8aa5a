package io.channelpush.push.bus;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Channel names as NATS subjects: {@code channelpush.} followed by one token made of {@code [A-Za-z0-9-]} and
 * {@code _xx} escapes. Every UTF-8 byte of the name outside {@code [A-Za-z0-9-]} (the underscore included) becomes
 * {@code _} and two lower-case hex digits, so {@code node.a} is {@code channelpush.node_2ea} and
 * {@code send_to_group} is {@code channelpush.send_5fto_5fgroup}. The empty name, which no escape produces, is
 * {@code _}. The mapping is reversible, and no name can reach a wildcard ({@code *}, {@code >}), a dot, white
 * space or an empty token.
 *
 * <p>A name of the form {@code kind:rest}, {@code kind} being lower-case letters ({@link Channels#worker}:
 * {@code w:node-1}), becomes two tokens: {@code channelpush.w.node-1}, the rest escaped as above. A one-token
 * subject never contains a dot after the prefix (a dot in a name is escaped), so the two forms never meet, and
 * an operator can grant a kind with a wildcard ({@code channelpush.w.*}). Stateless.
 */
final class NatsSubjects {
    static final String PREFIX = "channelpush.";
    private static final String EMPTY = "_";
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private NatsSubjects() {
    }

    /** The subject of a channel. */
    static String subject(String channel) {
        int colon = channel.indexOf(':');
        if (colon > 0 && isKind(channel.substring(0, colon))) {
            return token(new StringBuilder(PREFIX).append(channel, 0, colon).append('.'), channel.substring(colon + 1));
        }
        return token(new StringBuilder(PREFIX), channel);
    }

    private static boolean isKind(String s) {
        return s.chars().allMatch(c -> c >= 'a' && c <= 'z');
    }

    /** Appends the escaped name as one token. */
    private static String token(StringBuilder b, String channel) {
        if (channel.isEmpty()) {
            return b.append(EMPTY).toString();
        }
        for (byte x : channel.getBytes(StandardCharsets.UTF_8)) {
            if (plain(x)) {
                b.append((char) x);
            } else {
                b.append('_').append(HEX[(x >> 4) & 0xf]).append(HEX[x & 0xf]);
            }
        }
        return b.toString();
    }

    /**
     * The channel of a subject made by {@link #subject(String)}.
     *
     * @throws IllegalArgumentException when the subject is not one that {@link #subject(String)} makes
     */
    static String channel(String subject) {
        if (!subject.startsWith(PREFIX)) {
            throw new IllegalArgumentException("not a channel subject: " + subject);
        }
        String token = subject.substring(PREFIX.length());
        int dot = token.indexOf('.');
        String kind = dot > 0 && isKind(token.substring(0, dot)) ? token.substring(0, dot + 1).replace('.', ':') : "";
        token = token.substring(kind.length());
        String channel = kind + unescape(token, subject);
        // Only the canonical form is ours: no escaped plain characters, no upper-case hex, valid UTF-8.
        if (!subject(channel).equals(subject)) {
            throw new IllegalArgumentException("not a channel subject: " + subject);
        }
        return channel;
    }

    private static String unescape(String token, String subject) {
        if (token.equals(EMPTY)) {
            return "";
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(token.length());
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c == '_' && i + 2 < token.length() && hex(token.charAt(i + 1)) >= 0 && hex(token.charAt(i + 2)) >= 0) {
                bytes.write(hex(token.charAt(i + 1)) << 4 | hex(token.charAt(i + 2)));
                i += 2;
            } else if (c < 0x80 && plain((byte) c)) {
                bytes.write(c);
            } else {
                throw new IllegalArgumentException("not a channel subject: " + subject);
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static boolean plain(byte x) {
        return x >= 'a' && x <= 'z' || x >= 'A' && x <= 'Z' || x >= '0' && x <= '9' || x == '-';
    }

    private static int hex(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    }
}
