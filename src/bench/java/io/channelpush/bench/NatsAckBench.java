package io.channelpush.bench;

import io.channelpush.push.bus.BusUnavailableException;
import io.channelpush.push.bus.Channels;
import io.channelpush.push.bus.MessageBus;
import io.channelpush.push.bus.NatsBus;
import io.channelpush.push.bus.NatsSecurity;
import io.channelpush.push.bus.NatsStreamSettings;
import io.channelpush.push.bus.StreamPosition;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Publish rate of a {@link NatsBus} against a running nats-server with JetStream: fire-and-forget core publishes
 * (today's path), acknowledged publishes to the broadcast stream (JetStream) and to a user channel (core publish +
 * flush), each for a fixed count with at most {@code --window} awaiting their acknowledgement. Prints one line per
 * kind: messages/s and the failures. Bounded: each run stops after its count or 60 s.
 */
final class NatsAckBench {
    private static final String USAGE = """
            usage: BenchMain nats-acks --nats nats://127.0.0.1:4222 [--count 200000] [--bytes 100] [--window 1024]
              the server must run JetStream (nats-server -js -sd DIR); the stream CHANNELPUSH_B is created if missing
            """;

    private NatsAckBench() {
    }

    static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        String nats = null;
        int count = 200_000;
        int bytes = 100;
        int window = 1024;
        for (int i = 0; i < args.length; i++) {
            String v = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--nats" -> nats = v;
                case "--count" -> count = Integer.parseInt(v);
                case "--bytes" -> bytes = Integer.parseInt(v);
                case "--window" -> window = Integer.parseInt(v);
                default -> {
                    err.print(USAGE);
                    return 2;
                }
            }
            i++;
        }
        if (nats == null) {
            err.print(USAGE);
            return 2;
        }
        byte[] payload = ("{\"content\":\"" + "x".repeat(Math.max(0, bytes - 14)) + "\"}").getBytes(StandardCharsets.UTF_8);
        try (NatsBus bus = NatsBus.connect(NatsBus.parseServers(nats), "nats-ack-bench", 64L << 20, NatsSecurity.NONE,
                NatsStreamSettings.DEFAULTS, new MessageBus.Listener() {
                    @Override
                    public void onConnected(boolean reconnect) {
                    }

                    @Override
                    public void onDisconnected(String reason) {
                    }
                })) {
            bus.publishAcked(Channels.BROADCAST, payload, Duration.ofSeconds(10)).get(15, TimeUnit.SECONDS); // warm-up
            out.printf("NATS publish rate, %d messages of %d bytes, at most %d awaiting acknowledgement%n",
                    count, payload.length, window);
            fireAndForget(bus, payload, count, out);
            acked(bus, Channels.BROADCAST, "acknowledged, broadcast stream (JetStream)", payload, count, window, out);
            acked(bus, Channels.USERS, "acknowledged, user channel (core + flush)", payload, count, window, out);
        }
        return 0;
    }

    private static void fireAndForget(NatsBus bus, byte[] payload, int count, PrintStream out) {
        long start = System.nanoTime();
        long refused = 0;
        for (int i = 0; i < count; i++) {
            try {
                bus.publish(Channels.USERS, payload);
            } catch (BusUnavailableException e) {
                refused++;
            }
        }
        report(out, "fire-and-forget core publish (today)", count, refused, 0, System.nanoTime() - start);
    }

    private static void acked(NatsBus bus, String channel, String what, byte[] payload, int count, int window,
                              PrintStream out) throws Exception {
        Semaphore room = new Semaphore(window);
        AtomicLong unavailable = new AtomicLong();
        AtomicLong unknown = new AtomicLong();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        long start = System.nanoTime();
        int sent = 0;
        for (; sent < count && System.nanoTime() < deadline; sent++) {
            if (!room.tryAcquire(10, TimeUnit.SECONDS)) {
                break;
            }
            CompletableFuture<StreamPosition> f = bus.publishAcked(channel, payload, Duration.ofSeconds(5));
            f.whenComplete((p, e) -> {
                if (e instanceof BusUnavailableException) {
                    unavailable.incrementAndGet();
                } else if (e != null) {
                    unknown.incrementAndGet();
                }
                room.release();
            });
        }
        room.tryAcquire(window, 30, TimeUnit.SECONDS);
        report(out, what, sent, unavailable.get(), unknown.get(), System.nanoTime() - start);
    }

    private static void report(PrintStream out, String what, long n, long unavailable, long unknown, long nanos) {
        out.printf("  %-45s %,10.0f messages/s  (%,d in %.2f s; %d unavailable, %d unknown)%n", what,
                n * 1e9 / nanos, n, nanos / 1e9, unavailable, unknown);
    }
}
