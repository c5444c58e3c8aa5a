package io.channelpush.channel.protocol;

import java.nio.ByteBuffer;

/**
 * Incremental decoder of frames from non-blocking reads: feed it whatever bytes arrived and take whole bodies
 * out. The declared length is checked before the body is allocated. Not thread-safe: one decoder per connection,
 * used by the thread that reads that connection.
 */
public final class FrameDecoder {
    private final int maxFrameBytes;
    private final byte[] header = new byte[FrameCodec.HEADER_BYTES];
    private int headerFill;
    private byte[] body;
    private int bodyFill;

    public FrameDecoder(int maxFrameBytes) {
        this.maxFrameBytes = maxFrameBytes;
    }

    /**
     * Consumes bytes from {@code src} until one body is complete or {@code src} is empty.
     *
     * @return a complete body, or {@code null} when more bytes are needed (then {@code src} is empty)
     * @throws ProtocolException when a declared length is out of range
     */
    public byte[] next(ByteBuffer src) throws ProtocolException {
        while (body == null) {
            if (!src.hasRemaining()) {
                return null;
            }
            header[headerFill++] = src.get();
            if (headerFill == FrameCodec.HEADER_BYTES) {
                long length = ((header[0] & 0xFFL) << 24) | ((header[1] & 0xFF) << 16)
                        | ((header[2] & 0xFF) << 8) | (header[3] & 0xFF);
                body = new byte[FrameCodec.checkLength(length, maxFrameBytes)];
                headerFill = 0;
                bodyFill = 0;
            }
        }
        int n = Math.min(src.remaining(), body.length - bodyFill);
        src.get(body, bodyFill, n);
        bodyFill += n;
        if (bodyFill < body.length) {
            return null;
        }
        byte[] done = body;
        body = null;
        return done;
    }

    /** True when no partial frame is buffered. */
    public boolean atFrameBoundary() {
        return body == null && headerFill == 0;
    }
}
