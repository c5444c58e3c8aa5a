package io.channelpush.push;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A text message on its way to one or more clients, encoded as UTF-8 once: a broadcast to 5,000 connections is
 * one encoding and one buffer, and every connection's frame shares its bytes (through
 * {@link #payload()}, a read-only view with a position of its own). Immutable; thread-safe.
 */
final class OutboundMessage {
    /** What a queued message is charged besides its bytes: queue node, frame objects. */
    private static final int OVERHEAD = 64;

    final String text;
    private final ByteBuffer utf8;

    private OutboundMessage(String text, ByteBuffer utf8) {
        this.text = text;
        this.utf8 = utf8.asReadOnlyBuffer();
    }

    /** For one recipient: a heap buffer (a direct one costs more to allocate than it saves on one write). */
    static OutboundMessage forOne(String text) {
        return new OutboundMessage(text, ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
    }

    /** For many recipients: a direct buffer, which the socket writes without copying it first. */
    static OutboundMessage forMany(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return new OutboundMessage(text, ByteBuffer.allocateDirect(bytes.length).put(bytes).flip());
    }

    /** The encoded text, for one frame: a fresh read-only view of the shared bytes. */
    ByteBuffer payload() {
        return utf8.duplicate();
    }

    /** Bytes a send queue is charged for holding this message. */
    long weight() {
        return utf8.capacity() + OVERHEAD;
    }
}
