package io.channelpush.bench;

import io.channelpush.channel.protocol.FrameCodec;
import io.channelpush.channel.protocol.Messages;
import io.channelpush.channel.protocol.ProtocolException;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The hostile side of {@code daemon-hostile}: connections, each a thread with a raw {@link Socket} (not the
 * project's client), that misbehave in one of four ways until a deadline, reconnecting (after 50 ms) whenever the
 * daemon closes them, and count how the daemon answered ({@code error} codes, or a close without one). Thread-safe counters.
 */
final class HostileConnections {
    /** The four kinds of hostile connection. */
    enum Kind {
        /** Headers declaring 4 GiB - 1 or 1 MiB + 1; and a declared 1 MiB body of which half is sent, then held. */
        HUGE_FRAMES,
        /** 1 MB enqueues to queues nobody watches, at a set pace per connection. */
        HUGE_QUEUE_ITEMS,
        /** A hello of 2,000 bytes, one byte every 500 ms. */
        TRICKLED_HELLO,
        /** Frames of random bytes and broken JSON after a valid hello. */
        JUNK_JSON
    }

    private static final long RECONNECT_PAUSE_NANOS = 50_000_000L;

    private final InetSocketAddress daemon;
    private final long deadlineNanos;
    private final int hoardRatePerSecond;
    private final Map<String, LongAdder> answers = new ConcurrentHashMap<>();
    private final Map<Kind, LongAdder> connects = new ConcurrentHashMap<>();
    private final List<Thread> threads = new ArrayList<>();

    /** @param hoardRatePerSecond 1 MB enqueues per second of each {@link Kind#HUGE_QUEUE_ITEMS} connection */
    HostileConnections(InetSocketAddress daemon, long deadlineNanos, int hoardRatePerSecond) {
        this.daemon = daemon;
        this.deadlineNanos = deadlineNanos;
        this.hoardRatePerSecond = hoardRatePerSecond;
    }

    /** Starts {@code perKind} connections of each kind. */
    void start(int perKind) {
        for (Kind k : Kind.values()) {
            for (int i = 0; i < perKind; i++) {
                int n = i;
                Thread t = new Thread(() -> loop(k, n), "hostile-" + k.name().toLowerCase() + "-" + i);
                t.setDaemon(true);
                threads.add(t);
                t.start();
            }
        }
    }

    /** Waits for every hostile thread (they end at the deadline); true when all ended. */
    boolean join(long millis) throws InterruptedException {
        long end = System.currentTimeMillis() + millis;
        for (Thread t : threads) {
            t.join(Math.max(1, end - System.currentTimeMillis()));
        }
        return threads.stream().noneMatch(Thread::isAlive);
    }

    /** "kind: code" -> count, sorted. */
    Map<String, Long> answers() {
        Map<String, Long> m = new TreeMap<>();
        answers.forEach((k, v) -> m.put(k, v.sum()));
        return m;
    }

    Map<Kind, Long> connects() {
        Map<Kind, Long> m = new TreeMap<>();
        connects.forEach((k, v) -> m.put(k, v.sum()));
        return m;
    }

    private void loop(Kind kind, int n) {
        Random random = new Random(kind.ordinal() * 1000L + n);
        while (System.nanoTime() < deadlineNanos) {
            try (Socket s = new Socket()) {
                s.connect(daemon, 5_000);
                s.setSoTimeout(1_000);
                connects.computeIfAbsent(kind, k -> new LongAdder()).increment();
                switch (kind) {
                    case HUGE_FRAMES -> hugeFrames(s, n);
                    case HUGE_QUEUE_ITEMS -> hugeQueueItems(s, n);
                    case TRICKLED_HELLO -> trickledHello(s);
                    case JUNK_JSON -> junk(s, random);
                }
            } catch (IOException e) {
                count(kind, "closed or reset");
            } catch (InterruptedException e) {
                return;
            }
            // 100 connections at once, each coming back at most 20 times a second: not a connect flood
            java.util.concurrent.locks.LockSupport.parkNanos(RECONNECT_PAUSE_NANOS);
        }
    }

    private void hugeFrames(Socket s, int n) throws IOException, InterruptedException {
        OutputStream out = s.getOutputStream();
        DataInputStream in = input(s);
        out.write(Messages.hello("hostile-frames", null));
        expectWelcome(in);
        if (n % 2 == 0) {
            out.write(n % 4 == 0 ? new byte[] {-1, -1, -1, -1} : new byte[] {0, 0x10, 0, 1});
            out.flush();
            awaitAnswerOrClose(s, in, Kind.HUGE_FRAMES);
        } else {
            out.write(new byte[] {0, 0x10, 0, 0});
            out.write(new byte[512 * 1024]);
            out.flush();
            // hold the half-sent frame, answering nothing, until the daemon closes us (idle timeout) or the end
            while (System.nanoTime() < deadlineNanos) {
                if (!readAnswer(in, Kind.HUGE_FRAMES)) {
                    return;
                }
            }
        }
    }

    private void hugeQueueItems(Socket s, int n) throws IOException {
        // paced, so that the daemon's CPU (shared with everything on this machine) is not the only thing measured
        OutputStream out = s.getOutputStream();
        DataInputStream in = input(s);
        out.write(Messages.hello("hostile-hoarder", null));
        expectWelcome(in);
        byte[] item = FrameCodec.encode("{\"type\":\"enqueue\",\"queue\":\"hoard-" + n + "\",\"data\":\""
                + "x".repeat(1_000_000) + "\"}");
        Thread reader = new Thread(() -> {
            try {
                while (readAnswer(in, Kind.HUGE_QUEUE_ITEMS)) {
                    // counting answers
                }
            } catch (IOException e) {
                // the socket is closed
            }
        }, "hostile-hoarder-reader-" + n);
        reader.setDaemon(true);
        reader.start();
        s.setSoTimeout(0);
        long gap = 1_000_000_000L / hoardRatePerSecond;
        for (long next = System.nanoTime(); System.nanoTime() < deadlineNanos; next += gap) {
            out.write(item);
            long wait = next + gap - System.nanoTime();
            if (wait > 0) {
                java.util.concurrent.locks.LockSupport.parkNanos(wait);
            }
        }
    }

    private void trickledHello(Socket s) throws IOException, InterruptedException {
        OutputStream out = s.getOutputStream();
        DataInputStream in = input(s);
        byte[] hello = Messages.hello("t".repeat(2_000), null);
        for (byte b : hello) {
            if (System.nanoTime() >= deadlineNanos) {
                return;
            }
            out.write(b);
            out.flush();
            Thread.sleep(500); // the attack: one byte every 500 ms
            if (in.available() > 0) {
                readAnswer(in, Kind.TRICKLED_HELLO);
                return;
            }
        }
    }

    private void junk(Socket s, Random random) throws IOException, InterruptedException {
        OutputStream out = s.getOutputStream();
        DataInputStream in = input(s);
        out.write(Messages.hello("hostile-junk", null));
        expectWelcome(in);
        byte[] body = new byte[1 + random.nextInt(2_000)];
        random.nextBytes(body);
        String text = random.nextBoolean() ? new String(body, StandardCharsets.ISO_8859_1)
                : "{\"type\":\"publish\",\"channels\":[\"broadcast\"],\"data\":" + "[".repeat(body.length);
        out.write(FrameCodec.encode(text));
        out.flush();
        awaitAnswerOrClose(s, in, Kind.JUNK_JSON);
    }

    private static DataInputStream input(Socket s) throws IOException {
        return new DataInputStream(new BufferedInputStream(s.getInputStream()));
    }

    private static void expectWelcome(DataInputStream in) throws IOException {
        try {
            byte[] b = FrameCodec.read(in, 1 << 20);
            if (b == null) {
                throw new IOException("closed before welcome");
            }
        } catch (ProtocolException e) {
            throw new IOException(e);
        }
    }

    private void awaitAnswerOrClose(Socket s, DataInputStream in, Kind kind) throws IOException {
        s.setSoTimeout(5_000);
        readAnswer(in, kind);
    }

    /** Reads one frame and counts its error code; false at the end of the stream. */
    private boolean readAnswer(DataInputStream in, Kind kind) throws IOException {
        byte[] body;
        try {
            body = FrameCodec.read(in, 1 << 24);
        } catch (ProtocolException e) {
            throw new IOException(e);
        } catch (java.net.SocketTimeoutException e) {
            return true;
        }
        if (body == null) {
            count(kind, "closed");
            return false;
        }
        JsonObject m = JsonParser.parseString(new String(body, StandardCharsets.UTF_8)).getAsJsonObject();
        count(kind, m.has("code") ? m.get("code").getAsString() : m.get("type").getAsString());
        return true;
    }

    private void count(Kind kind, String what) {
        answers.computeIfAbsent(kind.name().toLowerCase() + ": " + what, k -> new LongAdder()).increment();
    }
}
