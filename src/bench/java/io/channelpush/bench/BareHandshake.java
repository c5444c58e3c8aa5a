package io.channelpush.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * The bytes of {@link BareConnect}'s handshakes: its one request, the bare server's answer (a 101 with the RFC 6455
 * accept key, then the welcome line in a text frame), and the reading of any server's answer. Stateless.
 */
final class BareHandshake {
    static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";
    static final byte[] REQUEST = ("GET / HTTP/1.1\r\nHost: 127.0.0.1:4236\r\nUpgrade: websocket\r\n"
            + "Connection: Upgrade\r\nSec-WebSocket-Key: " + KEY + "\r\nSec-WebSocket-Version: 13\r\n"
            + "User-Agent: bare-connect\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    static final int KEY_AT = new String(REQUEST, StandardCharsets.US_ASCII).indexOf(KEY);
    static final byte[] WELCOME = "workerID:w1 connectionID:1234567 connected\n"
            .getBytes(StandardCharsets.US_ASCII);
    static final int ANSWER = answer(KEY).length + 2 + WELCOME.length;
    private static final byte[] HEAD_END = {'\r', '\n', '\r', '\n'};

    private BareHandshake() {
    }

    /** The bare server's 101 for a request carrying {@code key}. */
    static byte[] answer(String key) {
        try {
            byte[] sha1 = MessageDigest.getInstance("SHA-1").digest(
                    (key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.US_ASCII));
            return ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Accept: " + Base64.getEncoder().encodeToString(sha1) + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-1", e);
        }
    }

    /**
     * Takes answer bytes; true once a 101's head and one whole short frame after it (the welcome) are in. State:
     * {@code s[1]} bytes seen, {@code s[2]} phase (0-3: bytes of the head's end matched, 4: the frame's first byte
     * next, 5: its length byte, 6: its payload), {@code s[3]} payload bytes left.
     *
     * @throws IOException when the answer is no 101 or the frame is not short
     */
    static boolean welcomed(long[] s, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            byte x = b.get();
            long seen = s[1]++;
            if (seen >= 9 && seen <= 11 && x != "101".charAt((int) seen - 9)) {
                throw new IOException("the server refused the handshake: no 101");
            }
            int phase = (int) s[2];
            if (phase < 4) {
                s[2] = x == HEAD_END[phase] ? phase + 1 : x == '\r' ? 1 : 0;
            } else if (phase == 4) {
                s[2] = 5;
            } else if (phase == 5) {
                s[3] = x & 0x7f;
                if (s[3] >= 126) {
                    throw new IOException("the welcome frame is not under 126 bytes");
                }
                s[2] = 6;
                if (s[3] == 0) {
                    return true;
                }
            } else if (--s[3] == 0) {
                return true;
            }
        }
        return false;
    }
}
