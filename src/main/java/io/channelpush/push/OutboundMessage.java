package io.channelpush.push;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A text message on its way to one or more clients, encoded as UTF-8 and framed once: a broadcast to 5,000
 * connections is one encoding and one buffer, and every connection's write shares its bytes (through
 * {@link #sharedFrame()}, read-only and never moved). Immutable; thread-safe.
 */
final class OutboundMessage {
    /** What a queued message is charged besides its bytes: queue node, frame objects. */
    private static final int OVERHEAD = 64;

    final String text;
    /** The whole frame: header, then the text. */
    private final ByteBuffer frame;
    private final int textBytes;

    private OutboundMessage(String text, int textBytes, ByteBuffer frame) {
        this.text = text;
        this.textBytes = textBytes;
        this.frame = frame.asReadOnlyBuffer();
    }

    /** For one recipient: a heap buffer (a direct one costs more to allocate than it saves on one write). */
    static OutboundMessage forOne(String text) {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        return new OutboundMessage(text, utf8.length,
                TextFrame.encode(utf8, ByteBuffer.allocate(TextFrame.size(utf8.length))));
    }

    /** For many recipients: a direct buffer, which the socket writes without copying it first. */
    static OutboundMessage forMany(String text) {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        return new OutboundMessage(text, utf8.length,
                TextFrame.encode(utf8, ByteBuffer.allocateDirect(TextFrame.size(utf8.length))));
    }

    /**
     * The message as one final, unmasked text frame (a server's), shared by every recipient and every thread: read
     * it with absolute gets only (or through a duplicate), never move its position or limit ({@link FrameGate}
     * copies from it).
     */
    ByteBuffer sharedFrame() {
        return frame;
    }

    /** Bytes a send queue is charged for holding this message. */
    long weight() {
        return textBytes + OVERHEAD;
    }
}
