package io.channelpush.channel.protocol;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Framing of protocol v1: a 4-byte unsigned big-endian body length N (not counting the 4 bytes), then N bytes
 * of UTF-8 JSON. N must be between 1 and the receiver's maximum frame size; a length outside that range is
 * rejected before anything is allocated. Stateless and thread-safe; for non-blocking input see {@link FrameDecoder}.
 */
public final class FrameCodec {
    /** Bytes of the length prefix. */
    public static final int HEADER_BYTES = 4;
    /** Default maximum body size: 1 MiB. */
    public static final int DEFAULT_MAX_FRAME_BYTES = 1 << 20;

    private FrameCodec() {
    }

    /** The frame (prefix and body) for a JSON text. */
    public static byte[] encode(String json) {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        byte[] frame = new byte[HEADER_BYTES + body.length];
        putLength(frame, body.length);
        System.arraycopy(body, 0, frame, HEADER_BYTES, body.length);
        return frame;
    }

    /** Writes the length prefix of a body of {@code bodyLength} bytes into the first 4 bytes of {@code frame}. */
    public static void putLength(byte[] frame, int bodyLength) {
        frame[0] = (byte) (bodyLength >>> 24);
        frame[1] = (byte) (bodyLength >>> 16);
        frame[2] = (byte) (bodyLength >>> 8);
        frame[3] = (byte) bodyLength;
    }

    /**
     * Checks a declared body length.
     *
     * @param length the prefix read as an unsigned 32-bit number
     * @throws ProtocolException {@link ErrorCode#BAD_FRAME_LENGTH} when it is 0 or above {@code maxFrameBytes}
     */
    public static int checkLength(long length, int maxFrameBytes) throws ProtocolException {
        if (length <= 0 || length > maxFrameBytes) {
            throw new ProtocolException(ErrorCode.BAD_FRAME_LENGTH,
                    "frame length " + length + " is outside 1.." + maxFrameBytes);
        }
        return (int) length;
    }

    /**
     * Reads one frame body from a blocking stream.
     *
     * @return the body, or {@code null} when the stream ended cleanly before a new frame
     * @throws EOFException when the stream ends inside a frame
     * @throws ProtocolException when the declared length is out of range (nothing is allocated for it)
     */
    public static byte[] read(DataInputStream in, int maxFrameBytes) throws IOException, ProtocolException {
        int first = in.read();
        if (first < 0) {
            return null;
        }
        long length = ((long) first << 24) | ((long) in.readUnsignedByte() << 16)
                | ((long) in.readUnsignedByte() << 8) | in.readUnsignedByte();
        byte[] body = new byte[checkLength(length, maxFrameBytes)];
        in.readFully(body);
        return body;
    }
}
