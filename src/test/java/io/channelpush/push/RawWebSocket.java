package io.channelpush.push;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A bare WebSocket client for tests that need what a real client never does: not answering pings, not reading,
 * sending frames no library would (huge declared lengths, endless fragments, reserved bits). Sends the handshake,
 * reads server frames (unmasked) one at a time, and writes client frames (masked, RFC 6455 section 5.2) with
 * {@link #sendFrame} or, for a frame sent in pieces, {@link #sendHeader} then {@link #sendPayload}.
 */
public final class RawWebSocket implements AutoCloseable {
    /** A server frame: its opcode and its whole payload. */
    public record Frame(int opcode, byte[] payload) {
        /** The code of a close frame, or -1 when it carries none. */
        public int closeCode() {
            return payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : -1;
        }

        public String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }
    }

    final Socket socket = new Socket();
    private final DataInputStream in;
    private final OutputStream out;
    /** The server's handshake response, status line and headers. */
    final String responseHead;
    private final byte[] mask = new byte[4];
    private long maskOffset;

    /** @param receiveBuffer socket receive buffer to ask for before connecting, or 0 */
    RawWebSocket(int port, int receiveBuffer) throws IOException {
        this(port, receiveBuffer, "");
    }

    /** @param extraHeaders more handshake header lines, each ending with CRLF */
    public RawWebSocket(int port, int receiveBuffer, String extraHeaders) throws IOException {
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer);
        }
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        socket.setSoTimeout(10_000);
        out = socket.getOutputStream();
        out.write(("GET / HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" + extraHeaders
                + "\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        in = new DataInputStream(socket.getInputStream());
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                throw new EOFException("handshake cut short: " + head);
            }
            head.append((char) c);
        }
        if (!head.toString().startsWith("HTTP/1.1 101")) {
            throw new IOException("handshake refused: " + head);
        }
        responseHead = head.toString();
    }

    /** Writes one whole masked frame. @param rsv the three reserved bits (RSV1 = 4) */
    public void sendFrame(boolean fin, int rsv, int opcode, byte[] payload) throws IOException {
        sendHeader(fin, rsv, opcode, payload.length);
        sendPayload(payload);
    }

    /** Writes a masked frame's header declaring {@code length} payload bytes (up to 2^63 - 1), and no payload. */
    void sendHeader(boolean fin, int rsv, int opcode, long length) throws IOException {
        java.io.ByteArrayOutputStream h = new java.io.ByteArrayOutputStream(14);
        h.write((fin ? 0x80 : 0) | (rsv & 7) << 4 | opcode & 0x0F);
        if (length < 126) {
            h.write(0x80 | (int) length);
        } else if (length <= 0xFFFF) {
            h.write(0x80 | 126);
            h.write((int) (length >>> 8));
            h.write((int) length);
        } else {
            h.write(0x80 | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                h.write((int) (length >>> shift));
            }
        }
        java.util.concurrent.ThreadLocalRandom.current().nextBytes(mask);
        maskOffset = 0;
        h.write(mask);
        out.write(h.toByteArray());
    }

    /** Writes (the next) payload bytes of the frame whose header was written last, masked. */
    void sendPayload(byte[] bytes) throws IOException {
        byte[] masked = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            masked[i] = (byte) (bytes[i] ^ mask[(int) (maskOffset++ & 3)]);
        }
        out.write(masked);
        out.flush();
    }

    public Frame read() throws IOException {
        int b0 = in.readUnsignedByte();
        int b1 = in.readUnsignedByte();
        long len = b1 & 0x7F;
        if (len == 126) {
            len = in.readUnsignedShort();
        } else if (len == 127) {
            len = in.readLong();
        }
        byte[] payload = new byte[(int) len];
        in.readFully(payload);
        return new Frame(b0 & 0x0F, payload);
    }

    /**
     * Reads one frame and checks what RFC 6455 section 5.2 asks of a server's frame when no extension is in use:
     * final (the server never fragments), no reserved bit, not masked, and a known opcode (text, close, ping, pong).
     * @throws IOException naming the offending header when it is not so: a torn stream shows as one
     */
    public Frame readWhole() throws IOException {
        int b0 = in.readUnsignedByte();
        int b1 = in.readUnsignedByte();
        int opcode = b0 & 0x0F;
        if ((b0 & 0xF0) != 0x80 || (b1 & 0x80) != 0 || !(opcode == 1 || opcode >= 8 && opcode <= 10)) {
            throw new IOException(String.format("not a whole server frame: header %02x %02x", b0, b1));
        }
        long len = b1 & 0x7F;
        if (len == 126) {
            len = in.readUnsignedShort();
        } else if (len == 127) {
            len = in.readLong();
        }
        if (len > 16 << 20 || opcode >= 8 && len > 125) {
            throw new IOException(String.format("not a whole server frame: header %02x %02x, length %d", b0, b1, len));
        }
        byte[] payload = new byte[(int) len];
        in.readFully(payload);
        return new Frame(opcode, payload);
    }

    /**
     * Reads what one socket read returns (waiting for the first byte) and splits it into whole frames: what the
     * server wrote together arrives together on loopback.
     */
    java.util.List<Frame> readOnce() throws IOException {
        byte[] buf = new byte[64 * 1024];
        int n = in.read(buf);
        if (n < 0) {
            throw new EOFException("connection closed");
        }
        java.util.List<Frame> frames = new java.util.ArrayList<>();
        DataInputStream chunk = new DataInputStream(new java.io.ByteArrayInputStream(buf, 0, n));
        while (chunk.available() > 0) {
            int b0 = chunk.readUnsignedByte();
            int len = chunk.readUnsignedByte() & 0x7F;
            if (len == 126) {
                len = chunk.readUnsignedShort();
            }
            byte[] payload = new byte[len];
            chunk.readFully(payload);
            frames.add(new Frame(b0 & 0x0F, payload));
        }
        return frames;
    }

    /** Reads until a close frame; fails on EOF or timeout. */
    Frame readUntilClose() throws IOException {
        while (true) {
            Frame f = read();
            if (f.opcode() == 8) {
                return f;
            }
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
