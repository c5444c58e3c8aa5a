package io.channelpush.bench;

import io.channelpush.launcher.Launcher;
import io.channelpush.launcher.LauncherOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Idle memory per WebSocket connection as a function of what its handshake carried: one node (the launcher,
 * in-process, default settings), N raw-socket connections whose handshake has no extra headers, then N whose
 * handshake carries 8 KB of cookies; the heap after a full GC, before and after each batch, divided by N. The
 * clients are in the same heap but identical in both batches, so the difference between the two figures is what
 * the node keeps of the handshake.
 */
final class HandshakeMemory {
    static final String USAGE = """
            usage: BenchMain handshake-memory [--connections N] [--cookie-bytes B]
              --connections N    connections per batch (default 2000)
              --cookie-bytes B   bytes of Cookie header in the second batch (default 8192)
            """;

    private HandshakeMemory() {
    }

    static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        int n = 2000;
        int cookieBytes = 8192;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--connections" -> n = Integer.parseInt(args[++i]);
                case "--cookie-bytes" -> cookieBytes = Integer.parseInt(args[++i]);
                case "--help", "-h" -> {
                    out.print(USAGE);
                    return 0;
                }
                default -> {
                    err.print(USAGE);
                    return 2;
                }
            }
        }
        try (Launcher node = Launcher.start(LauncherOptions.parse(new String[] {"--ws-port", "0", "--http-port", "0",
                "--channel-port", "0", "--set", "channelpush.max-connections=1000000"}))) {
            int port = node.port(0);
            StringBuilder cookies = new StringBuilder("Cookie: ");
            for (int c = 0; cookies.length() < cookieBytes; c++) {
                cookies.append("c").append(c).append('=').append("v".repeat(120)).append("; ");
            }
            String withCookies = cookies.substring(0, cookieBytes) + "\r\n";
            out.printf("idle memory per WebSocket connection, %d connections per batch%n", n);
            long plain = batch(node, port, n, "");
            out.printf("  handshake without extra headers:   %,8d bytes/connection (node + raw client socket)%n", plain);
            long heavy = batch(node, port, n, withCookies);
            out.printf("  handshake with %,d B of cookies: %,8d bytes/connection (node + raw client socket)%n",
                    cookieBytes, heavy);
            out.printf("  difference: %,d bytes/connection%n", heavy - plain);
        }
        return 0;
    }

    /** Opens n connections, measures, closes them. @return heap bytes per connection */
    private static long batch(Launcher node, int port, int n, String extraHeaders) throws Exception {
        long before = heapAfterGc();
        List<Socket> sockets = new ArrayList<>(n);
        byte[] request = ("GET / HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                + extraHeaders + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
        try {
            for (int i = 0; i < n; i++) {
                Socket s = new Socket();
                sockets.add(s);
                s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
                s.setSoTimeout(10_000);
                s.getOutputStream().write(request);
                expect101(s.getInputStream());
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (node.node().connectionCount() < n && System.nanoTime() < deadline) {
                Thread.sleep(10); // a benchmark, not a test: waits for the node to register every connection
            }
            long after = heapAfterGc();
            return (after - before) / n;
        } finally {
            for (Socket s : sockets) {
                s.close();
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (node.node().connectionCount() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
        }
    }

    private static void expect101(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("handshake cut short: " + head);
            }
            head.append((char) c);
        }
        if (!head.toString().startsWith("HTTP/1.1 101")) {
            throw new IOException("handshake refused: " + head);
        }
    }

    private static long heapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(200);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
