package io.channelpush.channel.protocol;

import java.nio.ByteBuffer;
import java.util.function.IntPredicate;

/**
 * Incremental decoder of frames from non-blocking reads: feed it whatever bytes arrived and take whole bodies
 * out. The declared length is checked against the maximum frame size, and then offered to an admission check,
 * before the body is allocated; a body the admission refuses is skipped as it arrives, never held. Not
 * thread-safe: one decoder per connection, used by the thread that reads that connection.
 */
public final class FrameDecoder {
    private final byte[] header = new byte[FrameCodec.HEADER_BYTES];
    private final IntPredicate admission;
    private int maxFrameBytes;
    private int headerFill;
    private byte[] body;
    private int bodyFill;
    private long skipLeft;

    public FrameDecoder(int maxFrameBytes) {
        this(maxFrameBytes, length -> true);
    }

    /**
     * @param admission asked with each declared body length (already within the maximum) before the body is
     *     allocated; false makes the decoder skip that body and {@link #next} throw
     *     {@link ErrorCode#OVER_CAPACITY}, after which decoding goes on with the following frame
     */
    public FrameDecoder(int maxFrameBytes, IntPredicate admission) {
        this.maxFrameBytes = maxFrameBytes;
        this.admission = admission;
    }

    /** Changes the maximum frame size for frames whose header has not arrived yet. */
    public void maxFrameBytes(int n) {
        maxFrameBytes = n;
    }

    /**
     * Consumes bytes from {@code src} until one body is complete or {@code src} is empty.
     *
     * @return a complete body, or {@code null} when more bytes are needed (then {@code src} is empty)
     * @throws ProtocolException {@link ErrorCode#BAD_FRAME_LENGTH} when a declared length is out of range (the
     *     stream cannot be decoded further); {@link ErrorCode#OVER_CAPACITY} when the admission refused a body
     *     (the decoder skips it and may be called again)
     */
    public byte[] next(ByteBuffer src) throws ProtocolException {
        while (body == null) {
            if (skipLeft > 0) {
                int n = (int) Math.min(src.remaining(), skipLeft);
                src.position(src.position() + n);
                skipLeft -= n;
            }
            if (!src.hasRemaining()) {
                return null;
            }
            header[headerFill++] = src.get();
            if (headerFill == FrameCodec.HEADER_BYTES) {
                long length = ((header[0] & 0xFFL) << 24) | ((header[1] & 0xFF) << 16)
                        | ((header[2] & 0xFF) << 8) | (header[3] & 0xFF);
                int checked = FrameCodec.checkLength(length, maxFrameBytes);
                headerFill = 0;
                if (!admission.test(checked)) {
                    skipLeft = checked;
                    throw new ProtocolException(ErrorCode.OVER_CAPACITY,
                            "frame of " + checked + " bytes refused: the daemon is at its memory bound; retry later");
                }
                body = new byte[checked];
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

    /** The size of the body being received, admitted but not yet complete, or 0. */
    public int partialBodyBytes() {
        return body == null ? 0 : body.length;
    }

    /** True when no partial frame is buffered. */
    public boolean atFrameBoundary() {
        return body == null && headerFill == 0 && skipLeft == 0;
    }
}
