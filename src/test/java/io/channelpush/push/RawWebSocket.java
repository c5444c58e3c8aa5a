package io.channelpush.push;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A bare WebSocket client for tests that need what a real client never does: not answering pings, not reading.
 * Sends the handshake, then reads server frames (unmasked) one at a time.
 */
final class RawWebSocket implements AutoCloseable {
    record Frame(int opcode, byte[] payload) {
        int closeCode() {
            return payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : -1;
        }

        String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }
    }

    final Socket socket = new Socket();
    private final DataInputStream in;

    /** @param receiveBuffer socket receive buffer to ask for before connecting, or 0 */
    RawWebSocket(int port, int receiveBuffer) throws IOException {
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer);
        }
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        socket.setSoTimeout(10_000);
        OutputStream out = socket.getOutputStream();
        out.write(("GET / HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
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
    }

    Frame read() throws IOException {
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
