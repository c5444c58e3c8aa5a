package io.channelpush.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.channelpush.channel.TestData;
import io.channelpush.push.FatalErrors;
import io.channelpush.push.RawHttp;
import io.channelpush.push.RawWebSocket;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The launcher runs a WebSocket handshake on the I/O thread that read it
 * ({@link UpgradesOnIoThread}), on real launchers and raw sockets: handshakes are served while every worker thread
 * is busy, other requests still wait for a worker, and a client that keeps a connection sending refused handshakes
 * without reading their answers loses that connection and stalls no I/O thread.
 */
class HandshakeOnIoThreadTest {
    private static final String GOOD = "http://good.example";
    /** Each refusal (403, origin not allowed) is about 200 bytes: this many fill every buffer between the two. */
    private static final int ATTACK_HANDSHAKES = 60_000;

    @Test
    void handshakesAreWelcomedWhileEveryWorkerThreadIsBusyAndOtherRequestsWaitForOne() throws Exception {
        try (Launcher node = start()) {
            int port = node.port(0);
            CountDownLatch release = new CountDownLatch(1);
            int workers = node.worker().getMXBean().getMaxWorkerPoolSize();
            CountDownLatch busy = new CountDownLatch(workers);
            for (int i = 0; i < workers; i++) {
                node.worker().execute(() -> {
                    busy.countDown();
                    try {
                        release.await(60, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
            }
            try (Socket health = RawHttp.connect(port)) {
                assertTrue(busy.await(10, TimeUnit.SECONDS), "the worker threads did not all start");
                for (int i = 0; i < 20; i++) {
                    assertWelcomed(port, "handshake " + i);
                }
                // the check can fail: a servlet request waits for a worker meanwhile
                health.setSoTimeout(1_000);
                write(health, "GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
                assertThrows(SocketTimeoutException.class, () -> health.getInputStream().read(),
                        "a servlet request was answered while every worker thread was busy");
                release.countDown();
                health.setSoTimeout(10_000);
                assertTrue(RawHttp.readHead(health).startsWith("HTTP/1.1 200"),
                        "the health request once a worker was free");
            } finally {
                release.countDown();
            }
        }
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrderAndAHandshakeAfterThemIsWelcomed() throws Exception {
        try (Launcher node = start(); Socket s = RawHttp.connect(node.port(0))) {
            String live = "GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
            write(s, live + live + live + RawHttp.handshake(node.port(0), origin(GOOD)));
            InputStream in = s.getInputStream();
            for (int i = 0; i < 3; i++) {
                String head = RawHttp.readHead(s);
                assertTrue(head.startsWith("HTTP/1.1 200"), "pipelined request " + i + ": " + head);
                String length = RawHttp.header(head, "Content-Length");
                assertNotNull(length, "no Content-Length in " + head);
                in.readNBytes(Integer.parseInt(length));
            }
            assertTrue(RawHttp.readHead(s).startsWith("HTTP/1.1 101"), "the handshake after them");
            assertEquals(0x81, in.read(), "a final text frame");
            int length = in.read();
            assertTrue(new String(in.readNBytes(length), StandardCharsets.UTF_8).startsWith("workerID:"));
        }
    }

    @Test
    void aConnectionSendingRefusedHandshakesWithoutReadingIsClosedAndStallsNoIoThread() throws Exception {
        try (Launcher node = start()) {
            int port = node.port(0);
            byte[] refused = RawHttp.handshake(port, origin("http://evil.example"))
                    .getBytes(StandardCharsets.ISO_8859_1);
            AtomicInteger sent = new AtomicInteger();
            AtomicReference<IOException> ended = new AtomicReference<>();
            try (Socket attacker = new Socket()) {
                attacker.setReceiveBufferSize(4096);
                attacker.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
                Thread writer = new Thread(() -> {
                    try {
                        OutputStream out = attacker.getOutputStream();
                        for (int i = 0; i < ATTACK_HANDSHAKES; i++) {
                            out.write(refused);
                            sent.incrementAndGet();
                        }
                    } catch (IOException e) {
                        ended.set(e);
                    }
                }, "attacker");
                writer.setDaemon(true);
                writer.start();
                // Its refusals (403) back up into a full send buffer. An I/O thread blocked on that write would
                // hold the connection open and the writer forever; XNIO refuses to block there, and the node
                // closes the connection instead.
                writer.join(30_000);
                assertTrue(ended.get() != null, "the attacker's connection is still open after " + sent.get()
                        + " handshakes (writer " + (writer.isAlive() ? "blocked" : "done") + ")");
                assertTrue(sent.get() < ATTACK_HANDSHAKES, "the node read all the handshakes");
            }
            for (int i = 0; i < 8; i++) {
                assertWelcomed(port, "client " + i + " after the attack");
            }
        }
    }

    private static Launcher start() throws Exception {
        return Launcher.start(LauncherOptions.parse("--ws-port", "0", "--http-port", "0", "--channel-port", "0",
                "--channel-data-dir", TestData.freshDir().toString(), "--no-demo",
                "--set", "channelpush.allowed-origins=" + GOOD), Map.of(), Map.of(), FatalErrors.MARK_DEAD);
    }

    private static String origin(String origin) {
        return "Origin: " + origin + "\r\n";
    }

    /** A WebSocket from an allowed origin is upgraded and its first frame is the welcome line. */
    private static void assertWelcomed(int port, String which) throws IOException {
        try (RawWebSocket ws = new RawWebSocket(port, 0, origin(GOOD))) {
            String welcome = ws.read().text();
            assertTrue(welcome.startsWith("workerID:"), which + ": " + welcome);
        }
    }

    private static void write(Socket s, String request) throws IOException {
        s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
        s.getOutputStream().flush();
    }
}
