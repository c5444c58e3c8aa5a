package io.channelpush.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The harness's own WebSocket client ({@link NioTransport}) against a scripted server on a real socket: the upgrade
 * is checked, fragmented messages are put back together, pings are answered, client frames are masked, a close is
 * echoed, and a wrong handshake fails the client instead of counting anything.
 */
class NioConnectionTest {

    @Test
    void fragmentsPingsMaskedSendsAndTheCloseHandshakeFollowTheRfc() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             NioTransport transport = new NioTransport(List.of("127.0.0.1"), 1)) {
            Deliveries deliveries = new Deliveries();
            BenchClient client = new BenchClient(deliveries);
            transport.connect(client, URI.create("ws://127.0.0.1:" + server.getLocalPort() + "/"), 0);
            try (Socket s = server.accept()) {
                s.setSoTimeout(5000);
                InputStream in = s.getInputStream();
                OutputStream out = s.getOutputStream();
                acceptUpgrade(in, out, NioConnectionTest::acceptFor);
                // the welcome, split over a text frame and a continuation, with a ping between them
                out.write(frame(0x01, false, "workerID:w-1 connection"));
                out.write(frame(0x09, true, "are you there"));
                out.write(frame(0x00, true, "ID:7 connected\n"));
                out.flush();
                assertEquals(7, client.welcomed.get(5, TimeUnit.SECONDS).connectionId);
                assertEquals("w-1", client.workerId);
                Frame pong = readMaskedFrame(in);
                assertEquals(0x0A, pong.opcode);
                assertEquals("are you there", pong.text());
                client.send("{\"cmd\":\"add_group\",\"group_id\":\"g\"}");
                Frame sent = readMaskedFrame(in);
                assertEquals(0x01, sent.opcode);
                assertEquals("{\"cmd\":\"add_group\",\"group_id\":\"g\"}", sent.text());
                // a delivery of the current phase: 126-byte length form, counted with its latency
                deliveries.start("b", 1, 1);
                out.write(frame(0x01, true, "b:0:" + System.nanoTime() + ":" + "x".repeat(200)));
                out.flush();
                assertTrue(deliveries.awaitDelivered(0, System.nanoTime() + TimeUnit.SECONDS.toNanos(5)));
                assertEquals(1, deliveries.latency().count());
                // the server closes: the client echoes the status and closes its socket
                out.write(closeFrame(1001, "bye"));
                out.flush();
                Frame echo = readMaskedFrame(in);
                assertEquals(0x08, echo.opcode);
                assertEquals(1001, ((echo.payload[0] & 0xff) << 8) | (echo.payload[1] & 0xff));
                client.closed.get(5, TimeUnit.SECONDS);
                assertEquals(-1, in.read(), "the client closes its socket after the close handshake");
                assertEquals(List.of("1001 bye"), deliveries.unexpectedCloses());
            }
        }
    }

    @Test
    void aWrongAcceptKeyFailsTheClient() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             NioTransport transport = new NioTransport(List.of("127.0.0.1"), 1)) {
            BenchClient client = new BenchClient(new Deliveries());
            transport.connect(client, URI.create("ws://127.0.0.1:" + server.getLocalPort() + "/"), 0);
            try (Socket s = server.accept()) {
                acceptUpgrade(s.getInputStream(), s.getOutputStream(), key -> "bm90IHRoZSByaWdodCBrZXk=");
                ExecutionException e = assertThrows(ExecutionException.class,
                        () -> client.welcomed.get(5, TimeUnit.SECONDS));
                assertTrue(e.getCause().getMessage().contains("Sec-WebSocket-Accept"), e.getCause().getMessage());
            }
        }
    }

    /** Reads the client's upgrade request and answers 101 with {@code accept(key)}. */
    private static void acceptUpgrade(InputStream in, OutputStream out, Function<String, String> accept)
            throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("client went away during the upgrade");
            }
            head.append((char) b);
        }
        String key = head.toString().lines().filter(l -> l.startsWith("Sec-WebSocket-Key:"))
                .map(l -> l.substring(18).strip()).findFirst().orElseThrow();
        assertTrue(head.toString().startsWith("GET / HTTP/1.1\r\n"), head.toString());
        out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: " + accept.apply(key) + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    private static String acceptFor(String key) {
        try {
            return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1")
                    .digest((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.ISO_8859_1)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An unmasked server frame. */
    private static byte[] frame(int opcode, boolean fin, String text) {
        byte[] p = text.getBytes(StandardCharsets.UTF_8);
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(p.length + 4);
        b.put((byte) ((fin ? 0x80 : 0) | opcode));
        if (p.length < 126) {
            b.put((byte) p.length);
        } else {
            b.put((byte) 126).putShort((short) p.length);
        }
        b.put(p);
        return java.util.Arrays.copyOf(b.array(), b.position());
    }

    private static byte[] closeFrame(int status, String reason) {
        byte[] r = reason.getBytes(StandardCharsets.UTF_8);
        byte[] f = new byte[4 + r.length];
        f[0] = (byte) 0x88;
        f[1] = (byte) (2 + r.length);
        f[2] = (byte) (status >> 8);
        f[3] = (byte) status;
        System.arraycopy(r, 0, f, 4, r.length);
        return f;
    }

    private record Frame(int opcode, byte[] payload) {
        String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }
    }

    /** Reads one client frame, which must be masked (RFC 6455 5.3), and unmasks it. */
    private static Frame readMaskedFrame(InputStream raw) throws IOException {
        DataInputStream in = new DataInputStream(raw);
        int b0 = in.readUnsignedByte();
        int b1 = in.readUnsignedByte();
        assertEquals(0x80, b1 & 0x80, "client frames must be masked");
        int len = b1 & 0x7f;
        if (len == 126) {
            len = in.readUnsignedShort();
        }
        byte[] mask = in.readNBytes(4);
        byte[] p = in.readNBytes(len);
        for (int i = 0; i < p.length; i++) {
            p[i] ^= mask[i & 3];
        }
        return new Frame(b0 & 0x0f, p);
    }
}
