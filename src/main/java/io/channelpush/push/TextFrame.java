package io.channelpush.push;

import java.nio.ByteBuffer;

/**
 * Encodes a server's WebSocket text frame (RFC 6455, section 5.2): final, no extension bits, unmasked, so the same
 * bytes go to every recipient. The length takes 1, 3 or 9 bytes after the first byte, by size. Stateless.
 */
final class TextFrame {
    private static final int FIN_TEXT = 0x81;
    private static final int LENGTH_16 = 126;
    private static final int LENGTH_64 = 127;

    private TextFrame() {
    }

    /** @return the bytes of the frame holding {@code payloadLength} bytes of text */
    static int size(int payloadLength) {
        return headerSize(payloadLength) + payloadLength;
    }

    private static int headerSize(int payloadLength) {
        return payloadLength < LENGTH_16 ? 2 : payloadLength <= 0xFFFF ? 4 : 10;
    }

    /** Writes the frame of {@code utf8} into {@code into} (exactly {@link #size} bytes free) and flips it. */
    static ByteBuffer encode(byte[] utf8, ByteBuffer into) {
        int n = utf8.length;
        into.put((byte) FIN_TEXT);
        if (n < LENGTH_16) {
            into.put((byte) n);
        } else if (n <= 0xFFFF) {
            into.put((byte) LENGTH_16).putShort((short) n);
        } else {
            into.put((byte) LENGTH_64).putLong(n);
        }
        return into.put(utf8).flip();
    }
}
