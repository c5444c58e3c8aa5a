package io.channelpush.bench;

import io.channelpush.launcher.Launcher;
import io.channelpush.launcher.LauncherOptions;
import io.channelpush.push.auth.PublishAuthenticator;
import io.channelpush.push.auth.PublishSigner;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Sustained signed publishing: how many HMAC-signed requests per second pass, every one with a new nonce, for a
 * given time. Mode {@code http} starts one node (the launcher, in-process daemon, no WebSocket clients) with a
 * publish key and sends signed GETs from {@code --connections} keep-alive sockets, one request at a time each,
 * signing each on the fly; mode {@code auth} calls {@link PublishAuthenticator#check} directly from
 * {@code --threads} threads (signing included), the verifier's and replay cache's ceiling without HTTP. Prints
 * requests/s per 10 s and overall, the statuses other than 200, and the heap in use. Client and server share the
 * machine's cores.
 */
final class SignedPublishBench {
    private static final String USAGE = """
            usage: BenchMain signed [--mode http|auth] [--seconds S] [--connections C] [--threads T]
              --mode http     a node on loopback, signed GETs over C keep-alive sockets (default)
              --mode auth     PublishAuthenticator.check from T threads, no sockets
              --seconds S     how long (default 30; 600 for the 10-minute run)
              --connections C sockets in http mode (default 16)
              --threads T     threads in auth mode (default: cores)
              --rate R        signed requests/s to hold in all (default 0: as fast as possible)
            """;

    private SignedPublishBench() {
    }

    static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        String mode = "http";
        int seconds = 30;
        int connections = 16;
        int threads = Runtime.getRuntime().availableProcessors();
        long rate = 0;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--help")) {
                out.print(USAGE);
                return 0;
            }
            if (i + 1 >= args.length) {
                err.print(USAGE);
                return 2;
            }
            String v = args[++i];
            switch (args[i - 1]) {
                case "--mode" -> mode = v;
                case "--seconds" -> seconds = Integer.parseInt(v);
                case "--connections" -> connections = Integer.parseInt(v);
                case "--threads" -> threads = Integer.parseInt(v);
                case "--rate" -> rate = Long.parseLong(v);
                default -> {
                    err.print(USAGE);
                    return 2;
                }
            }
        }
        LongAdder ok = new LongAdder();
        Map<Integer, LongAdder> refused = new ConcurrentHashMap<>();
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        List<Thread> workers = new ArrayList<>();
        AtomicLong nonces = new AtomicLong();
        Launcher node = null;
        PublishAuthenticator auth = null;
        try {
            if (mode.equals("http")) {
                node = Launcher.start(LauncherOptions.parse("--ws-port", "0", "--http-port", "0", "--channel-port", "0",
                        "--no-demo", "--set", "channelpush.publish-keys=bench:bench-secret-0123456789abcdefghijklmnopq"));
                int port = node.port(node.portCount() - 1);
                long gap = rate == 0 ? 0 : 1_000_000_000L * connections / rate;
                for (int c = 0; c < connections; c++) {
                    workers.add(start("signed-" + c, () -> httpLoop(port, deadline, gap, nonces, ok, refused)));
                }
            } else if (mode.equals("auth")) {
                auth = new PublishAuthenticator(Map.of("bench", "bench-secret-0123456789abcdefghijklmnopq"), List.of(),
                        Clock.systemUTC(), PublishAuthenticator.DEFAULT_SKEW_SECONDS,
                        PublishAuthenticator.DEFAULT_MAX_NONCES);
                long gap = rate == 0 ? 0 : 1_000_000_000L * threads / rate;
                PublishAuthenticator a = auth;
                for (int t = 0; t < threads; t++) {
                    workers.add(start("auth-" + t, () -> authLoop(a, deadline, gap, nonces, ok, refused)));
                }
            } else {
                err.print(USAGE);
                return 2;
            }
            out.printf("signed publishing, mode %s, %d s, %s%n", mode, seconds,
                    mode.equals("http") ? connections + " connections" : threads + " threads");
            long start = System.nanoTime();
            long last = 0;
            long lastAt = start;
            while (System.nanoTime() < deadline) {
                Thread.sleep(Math.min(10_000, Math.max(1, (deadline - System.nanoTime()) / 1_000_000)));
                long now = System.nanoTime();
                long total = ok.sum();
                out.printf("  %4.0f s  %,10.0f signed requests/s  heap in use %,d MB%n", (now - start) / 1e9,
                        (total - last) / ((now - lastAt) / 1e9), heapMb());
                last = total;
                lastAt = now;
            }
            for (Thread w : workers) {
                w.join(10_000);
            }
            double elapsed = (System.nanoTime() - start) / 1e9;
            out.printf("accepted %,d in %.1f s: %,.0f signed requests/s; refused %s; heap in use after GC %,d MB"
                    + " (the node or verifier still holding its replay cache)%n",
                    ok.sum(), elapsed, ok.sum() / elapsed, refused, heapAfterGcMb());
            java.lang.ref.Reference.reachabilityFence(auth);
            java.lang.ref.Reference.reachabilityFence(node);
            return refused.isEmpty() ? 0 : 1;
        } finally {
            if (node != null) {
                node.close();
            }
        }
    }

    /** Waits until {@code next} (nanoTime) and returns the time of the request after it. */
    private static long pace(long next, long gap) {
        if (gap == 0) {
            return 0;
        }
        long now = System.nanoTime();
        if (next > now) {
            java.util.concurrent.locks.LockSupport.parkNanos(next - now);
        }
        return Math.max(next, now - 100_000_000L) + gap; // never more than 100 ms of catching up
    }

    private static void httpLoop(int port, long deadline, long gap, AtomicLong nonces, LongAdder ok,
                                 Map<Integer, LongAdder> refused) {
        long next = System.nanoTime();
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setTcpNoDelay(true);
            OutputStream out = s.getOutputStream();
            InputStream in = new BufferedInputStream(s.getInputStream());
            while (System.nanoTime() < deadline) {
                next = pace(next, gap);
                String nonce = "n" + Long.toString(nonces.incrementAndGet(), 36) + "-bench";
                long ts = System.currentTimeMillis() / 1000;
                Map<String, String> h = PublishSigner.headers("bench", "bench-secret-0123456789abcdefghijklmnopq", "GET", "/", "content=x",
                        new byte[0], ts, nonce);
                StringBuilder req = new StringBuilder("GET /?content=x HTTP/1.1\r\nHost: 127.0.0.1\r\n");
                h.forEach((k, v) -> req.append(k).append(": ").append(v).append("\r\n"));
                out.write(req.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
                int status = readResponse(in);
                if (status == 200) {
                    ok.increment();
                } else {
                    refused.computeIfAbsent(status, k -> new LongAdder()).increment();
                }
            }
        } catch (IOException e) {
            refused.computeIfAbsent(-1, k -> new LongAdder()).increment();
        }
    }

    /** Reads one response with a Content-Length body; returns its status. */
    private static int readResponse(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int status = -1;
        int length = 0;
        while (true) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("closed");
            }
            if (c != '\n') {
                if (c != '\r') {
                    line.append((char) c);
                }
                continue;
            }
            String l = line.toString();
            line.setLength(0);
            if (status < 0) {
                status = Integer.parseInt(l.split(" ")[1]);
            } else if (l.isEmpty()) {
                in.readNBytes(length);
                return status;
            } else if (l.regionMatches(true, 0, "content-length:", 0, 15)) {
                length = Integer.parseInt(l.substring(15).strip());
            }
        }
    }

    private static void authLoop(PublishAuthenticator auth, long deadline, long gap, AtomicLong nonces,
                                 LongAdder ok, Map<Integer, LongAdder> refused) {
        byte[] empty = new byte[0];
        long next = System.nanoTime();
        while (System.nanoTime() < deadline) {
            next = pace(next, gap);
            String nonce = "n" + Long.toString(nonces.incrementAndGet(), 36) + "-bench";
            long ts = System.currentTimeMillis() / 1000;
            Map<String, String> h = PublishSigner.headers("bench", "bench-secret-0123456789abcdefghijklmnopq", "GET", "/", "content=x", empty,
                    ts, nonce);
            PublishAuthenticator.Verdict v = auth.check("GET", "/", "content=x", empty, h::get);
            if (v.accepted()) {
                ok.increment();
            } else {
                refused.computeIfAbsent(v.status(), k -> new LongAdder()).increment();
            }
        }
    }

    private static Thread start(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static long heapMb() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() >> 20;
    }

    private static long heapAfterGcMb() {
        System.gc();
        return heapMb();
    }
}
