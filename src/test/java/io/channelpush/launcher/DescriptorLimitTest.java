package io.channelpush.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A node at its process's descriptor limit: the launcher runs as a child process under {@code prlimit} with a few
 * hundred descriptors, and more raw sockets than that connect to it for seconds. It keeps serving the WebSocket
 * client it had, and once the sockets go, a new WebSocket is accepted within a second (XNIO's accept back-off after
 * EMFILE grows from 250 ms to 30 s; the listeners stop accepting below the limit instead).
 */
class DescriptorLimitTest {
    private static final int DESCRIPTORS = 512;
    private static final int ATTACK_SOCKETS = 700;

    @Test
    void atTheDescriptorLimitTheNodeKeepsItsClientAndAcceptsAgainWithinASecond() throws Exception {
        Path prlimit = Path.of("/usr/bin/prlimit");
        assertTrue(Files.isExecutable(prlimit), "this test needs prlimit (util-linux) at " + prlimit);
        List<String> cmd = List.of(prlimit.toString(), "--nofile=" + DESCRIPTORS + ":" + DESCRIPTORS,
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), Launcher.class.getName(),
                "--ws-port", "0", "--http-port", "0", "--channel-port", "0");
        List<Socket> attack = new ArrayList<>();
        try (JarProcess node = JarProcess.run(cmd)) {
            Matcher m = Pattern.compile("serving ws://127\\.0\\.0\\.1:(\\d+)/").matcher(node.awaitLine("serving ws://", 60));
            assertTrue(m.find());
            int port = Integer.parseInt(m.group(1));
            try (Socket client = new Socket()) {
                handshake(client, port);
                for (int i = 0; i < ATTACK_SOCKETS; i++) {
                    Socket s = new Socket();
                    attack.add(s);
                    s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
                }
                // The sockets outnumber the node's descriptors. The attack lasts 6 s (long enough for an accept
                // back-off to grow from 250 ms to 16 s); all along the node answers the client it has.
                for (int i = 0; i < 6; i++) {
                    command(client, 10 + i);
                    java.util.concurrent.locks.LockSupport.parkNanos(1_000_000_000L); // the attack's duration
                }
                long closing = System.nanoTime();
                for (Socket s : attack) {
                    s.close();
                }
                attack.clear();
                try (Socket fresh = new Socket()) {
                    handshake(fresh, port);
                    long millis = (System.nanoTime() - closing) / 1_000_000;
                    assertTrue(millis <= 1_500, "a new WebSocket was accepted " + millis + " ms after the sockets went");
                    command(fresh, 2);
                }
                command(client, 3);
            }
        } finally {
            for (Socket s : attack) {
                s.close();
            }
        }
    }

    private static void handshake(Socket s, int port) throws IOException {
        s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        s.setSoTimeout(20_000);
        s.getOutputStream().write(("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        InputStream in = s.getInputStream();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("handshake cut short: " + head);
            }
            head.append((char) c);
        }
        assertTrue(head.toString().startsWith("HTTP/1.1 101"), head.toString());
        assertTrue(nextText(in).startsWith("workerID:"));
    }

    /** Sends a leave_group command with an id and expects its ack. */
    private static void command(Socket s, int id) throws IOException {
        byte[] payload = ("{\"cmd\":\"leave_group\",\"group_id\":\"g\",\"id\":" + id + "}").getBytes(StandardCharsets.UTF_8);
        byte[] frame = new byte[6 + payload.length];
        frame[0] = (byte) 0x81;
        frame[1] = (byte) (0x80 | payload.length); // masked, under 126 bytes; the mask key is 0
        System.arraycopy(payload, 0, frame, 6, payload.length);
        s.getOutputStream().write(frame);
        assertEquals("{\"type\":\"ack\",\"id\":" + id + ",\"cmd\":\"leave_group\"}", nextText(s.getInputStream()));
    }

    /** Reads server frames until a text frame (skipping pings). */
    private static String nextText(InputStream in) throws IOException {
        while (true) {
            int b0 = in.read();
            int len = in.read() & 0x7F;
            if (b0 < 0) {
                throw new IOException("closed");
            }
            if (len == 126) {
                len = (in.read() << 8) | in.read();
            }
            byte[] p = in.readNBytes(len);
            if ((b0 & 0x0F) == 1) {
                return new String(p, StandardCharsets.UTF_8);
            }
        }
    }
}
