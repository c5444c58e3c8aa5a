package io.channelpush.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.channelpush.launcher.Launcher;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The launcher's HTTP listeners at their DEFAULT settings against raw sockets: request heads bounded in bytes and
 * lines (431 with a reason), and every phase of a request bounded in time (a half-sent or trickled head, a body
 * that stops or never ends, an idle keep-alive connection), while an open WebSocket outlives all of those bounds.
 * The attacks run side by side, so the whole takes about the longest bound.
 */
class HttpWireLimitsTest {
    /** Slack on top of each bound for a loaded machine. */
    private static final Duration SLACK = Duration.ofSeconds(4);

    private static PushFixture fx;
    private static Launcher node;
    private static PushConfig config;

    @BeforeAll
    static void start() throws Exception {
        fx = new PushFixture();
        node = fx.node("wire");
        config = node.node().config();
        assertEquals(64 * 1024, config.maxHeaderBytes(), "the test runs at the defaults");
        assertEquals(100, config.maxHeaders());
    }

    @AfterAll
    static void stop() throws Exception {
        fx.close();
    }

    private static String headers(int count, int valueLength) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < count; i++) {
            b.append("X-Filler-").append(i).append(": ").append("v".repeat(valueLength)).append("\r\n");
        }
        return b.toString();
    }

    private static String body(Socket s) throws IOException {
        byte[] buf = new byte[512];
        int n = s.getInputStream().read(buf);
        return n < 0 ? "" : new String(buf, 0, n, StandardCharsets.UTF_8);
    }

    @Test
    void handshakeWith500KbOfHeadersGets431WithAReason() throws Exception {
        try (Socket s = RawHttp.connect(node.port(0))) {
            String head = RawHttp.send(s, RawHttp.handshake(node.port(0), headers(5, 100 * 1024)));
            assertEquals(431, RawHttp.status(head), head);
            assertTrue(body(s).contains("channelpush.max-header-bytes"));
        }
    }

    @Test
    void handshakeWithMoreThan100HeadersGets431WithAReason() throws Exception {
        try (Socket s = RawHttp.connect(node.port(0))) {
            String head = RawHttp.send(s, RawHttp.handshake(node.port(0), headers(150, 10)));
            assertEquals(431, RawHttp.status(head), head);
            assertTrue(body(s).contains("channelpush.max-headers"));
        }
    }

    @Test
    void publisherRequestWithHugeHeadersGets431Too() throws Exception {
        try (Socket s = RawHttp.connect(node.port(1))) {
            String head = RawHttp.send(s, "GET /?content=x HTTP/1.1\r\nHost: x\r\n" + headers(1, 70 * 1024) + "\r\n");
            assertEquals(431, RawHttp.status(head), head);
        }
    }

    @Test
    void handshakeJustWithinTheLimitsIsAccepted() throws Exception {
        // 6 headers of the handshake + 90 of 600 bytes: 96 lines, about 56 KB
        try (Socket s = RawHttp.connect(node.port(0))) {
            String head = RawHttp.send(s, RawHttp.handshake(node.port(0), headers(90, 600)));
            assertEquals(101, RawHttp.status(head), head);
        }
    }

    @Test
    void laterRequestOnAKeepAliveConnectionIsHeldToTheSameLimit() throws Exception {
        try (Socket s = RawHttp.connect(node.port(1))) {
            String first = RawHttp.send(s, "GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals(200, RawHttp.status(first), first);
            int length = Integer.parseInt(RawHttp.header(first, "Content-Length"));
            s.getInputStream().readNBytes(length);
            String second = RawHttp.send(s, "GET /health/live HTTP/1.1\r\nHost: x\r\n" + headers(1, 100 * 1024) + "\r\n");
            // Undertow's own check answers later requests: 400, then the connection is closed
            assertEquals(400, RawHttp.status(second), second);
            RawHttp.awaitClosedByServer(s, SLACK);
        }
    }

    @Test
    void handshakeWithAnOverlongUrlGets414() throws Exception {
        try (Socket s = RawHttp.connect(node.port(0))) {
            String head = RawHttp.send(s, RawHttp.handshake(node.port(0), "").replace("GET / ", "GET /?t="
                    + "a".repeat(3000) + " "));
            assertEquals(414, RawHttp.status(head), head);
        }
    }

    /** One attack: what it writes (it may keep writing until the node closes), and the bound it must meet. */
    private record Attack(String name, Duration bound, Writer writer) {
    }

    private interface Writer {
        void write(OutputStream out) throws IOException;
    }

    private static void write(OutputStream out, String s) throws IOException {
        out.write(s.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    /** Writes {@code s} one byte every {@code every}, then keeps trickling spaces forever. */
    private static void trickle(OutputStream out, String s, Duration every) throws IOException {
        for (int i = 0; ; i++) {
            out.write(i < s.length() ? s.charAt(i) : ' ');
            out.flush();
            LockSupport.parkNanos(every.toNanos()); // the pace of the attack, not a synchronisation
        }
    }

    @Test
    void everyPhaseOfARequestIsClosedWithinItsDefaultBoundWhileAWebSocketOutlivesThem() throws Exception {
        Duration parse = Duration.ofMillis(config.requestParseTimeoutMillis());
        Duration read = Duration.ofMillis(config.readTimeoutMillis());
        Duration request = Duration.ofMillis(config.requestTimeoutMillis());
        assertEquals(Map.of("parse", 5_000L, "read", 10_000L, "request", 15_000L),
                Map.of("parse", parse.toMillis(), "read", read.toMillis(), "request", request.toMillis()),
                "the test runs at the defaults");
        String post = "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n";
        List<Attack> attacks = List.of(
                new Attack("half-sent request line", parse, out -> write(out, "GET /health/li")),
                new Attack("head trickled a byte a second", parse,
                        out -> trickle(out, "GET /health/live HTTP/1.1\r\nHost: x\r\nX-Slow: ", Duration.ofSeconds(1))),
                new Attack("chunked POST that stops", read, out -> write(out, post
                        + "Transfer-Encoding: chunked\r\n\r\n8\r\ncontent=\r\n")),
                new Attack("chunked POST that never ends", request, out -> {
                    write(out, post + "Transfer-Encoding: chunked\r\n\r\n8\r\ncontent=\r\n");
                    while (true) {
                        write(out, "1\r\nx\r\n");
                        LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(2)); // the pace of the attack
                    }
                }),
                new Attack("Content-Length longer than the body", read,
                        out -> write(out, post + "Content-Length: 1000\r\n\r\ncontent=x")),
                new Attack("connection that never sends", read, out -> { }),
                new Attack("idle keep-alive connection", read,
                        out -> write(out, "GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n")));

        RawWebSocket ws = new RawWebSocket(node.port(0), 0);
        assertTrue(ws.read().text().startsWith("workerID:wire"));
        ExecutorService pool = Executors.newCachedThreadPool();
        List<Socket> sockets = new ArrayList<>();
        try {
            List<Future<Duration>> closed = new ArrayList<>();
            for (Attack a : attacks) {
                Socket s = RawHttp.connect(a.name().startsWith("chunked") || a.name().startsWith("Content")
                        ? node.port(1) : node.port(0));
                sockets.add(s);
                pool.submit(() -> {
                    try {
                        a.writer().write(s.getOutputStream());
                    } catch (IOException e) {
                        // closed by the node: what the attack waits for
                    }
                    return null;
                });
                closed.add(pool.submit(() -> RawHttp.awaitClosedByServer(s, a.bound().plus(SLACK))));
            }
            for (int i = 0; i < attacks.size(); i++) {
                Attack a = attacks.get(i);
                Duration took = closed.get(i).get(a.bound().plus(SLACK).plusSeconds(10).toSeconds(), TimeUnit.SECONDS);
                assertTrue(took.compareTo(a.bound().plus(SLACK)) <= 0, a.name() + " held for " + took);
            }
            // The WebSocket, silent all along (the pings allow it 50 s), was not taken by any of those timeouts.
            ws.sendFrame(true, 0, 1, "{\"cmd\":\"leave_group\",\"group_id\":\"g\",\"id\":7}"
                    .getBytes(StandardCharsets.UTF_8));
            RawWebSocket.Frame f;
            do {
                f = ws.read();
            } while (f.opcode() != 1);
            assertEquals("{\"type\":\"ack\",\"id\":7,\"cmd\":\"leave_group\"}", f.text());
        } finally {
            pool.shutdownNow();
            for (Socket s : sockets) {
                s.close();
            }
            ws.close();
        }
    }
}
