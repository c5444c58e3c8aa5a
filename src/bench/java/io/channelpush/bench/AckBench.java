package io.channelpush.bench;

import io.channelpush.channel.client.ChannelClient;
import io.channelpush.channel.client.ChannelUnavailableException;
import io.channelpush.channel.client.ClientOptions;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Acknowledged publishes against plain ones, one {@link ChannelClient} publishing to a stream channel of a daemon in
 * this JVM (default settings: stream log on disk, fsync every second) with one subscriber: messages/s until the
 * subscriber has them all (plain) and until every ack is in (acknowledged, at most {@code --window} in flight), and
 * the ack latency. {@code mvn -B -q -Pbench -DskipTests test-compile exec:exec -Dbench.args="acks"}.
 */
final class AckBench {
    private AckBench() {
    }

    static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        int messages = 200_000;
        int bytes = 100;
        int window = 10_000;
        String channel = "b";
        int rounds = 5;
        for (int i = 0; i < args.length; i += 2) {
            if (i + 1 >= args.length) {
                err.println("usage: acks [--messages N] [--bytes B] [--window W] [--channel C] [--rounds R]");
                return 2;
            }
            switch (args[i]) {
                case "--messages" -> messages = Integer.parseInt(args[i + 1]);
                case "--bytes" -> bytes = Integer.parseInt(args[i + 1]);
                case "--window" -> window = Integer.parseInt(args[i + 1]);
                case "--channel" -> channel = args[i + 1];
                case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
                default -> {
                    err.println("unknown option " + args[i] + "; usage: acks [--messages N] [--bytes B] [--window W]"
                            + " [--channel C] [--rounds R]");
                    return 2;
                }
            }
        }
        byte[] data = ("\"" + "x".repeat(Math.max(0, bytes - 2)) + "\"").getBytes(StandardCharsets.US_ASCII);
        try (DaemonTarget daemon = DaemonTarget.inProcess()) {
            ClientOptions o = ClientOptions.of(daemon.address().getHostString(), daemon.address().getPort());
            try (ChannelClient sub = ChannelClient.start(o.withClientName("bench-sub"));
                 ChannelClient pub = ChannelClient.start(o.withClientName("bench-pub"))) {
                AtomicLong received = new AtomicLong();
                sub.onStream(channel, (d, e, off) -> received.incrementAndGet());
                if (!sub.awaitConnected(Duration.ofSeconds(10)) || !pub.awaitConnected(Duration.ofSeconds(10))) {
                    err.println("clients did not connect");
                    return 1;
                }
                long published = 0;
                double[] ratios = new double[rounds];
                for (int round = 0; round <= rounds; round++) { // round 0 warms the JIT up
                    long plain = plain(pub, channel, data, messages, received, published);
                    published += messages;
                    long acked = acked(pub, channel, data, messages, window, out, round > 0);
                    published += messages;
                    if (round > 0) {
                        ratios[round - 1] = (double) plain / acked;
                        out.printf("round %d: plain %,.0f msg/s (until the subscriber had all %,d of %d bytes), "
                                + "acknowledged %,.0f msg/s (until every ack, window %,d): %.0f %%%n", round,
                                messages * 1e9 / plain, messages, data.length, messages * 1e9 / acked, window,
                                100.0 * plain / acked);
                    }
                }
                Arrays.sort(ratios);
                out.printf("median of %d rounds: acknowledged publishes at %.0f %% of the plain rate%n", rounds,
                        100 * ratios[rounds / 2]);
            }
        }
        return 0;
    }

    private static long plain(ChannelClient pub, String channel, byte[] data, int messages, AtomicLong received,
                              long before) {
        long target = before + messages;
        long start = System.nanoTime();
        for (int i = 0; i < messages; i++) {
            while (true) {
                try {
                    pub.publish(channel, data);
                    break;
                } catch (ChannelUnavailableException full) {
                    LockSupport.parkNanos(50_000);
                }
            }
        }
        long deadline = start + TimeUnit.SECONDS.toNanos(120);
        while (received.get() < target) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("subscriber got " + (received.get() - before) + " of "
                        + messages + " within 120 s");
            }
            LockSupport.parkNanos(100_000);
        }
        return System.nanoTime() - start;
    }

    private static long acked(ChannelClient pub, String channel, byte[] data, int messages, int window,
                              PrintStream out, boolean report) throws InterruptedException {
        Semaphore inFlight = new Semaphore(window);
        CountDownLatch done = new CountDownLatch(messages);
        AtomicLong failures = new AtomicLong();
        long[] latency = new long[messages];
        Duration timeout = Duration.ofSeconds(30);
        long start = System.nanoTime();
        for (int i = 0; i < messages; i++) {
            inFlight.acquire();
            int n = i;
            long sent = System.nanoTime();
            pub.publishAcked(channel, data, timeout).whenComplete((offset, error) -> {
                latency[n] = System.nanoTime() - sent;
                if (error != null) {
                    failures.incrementAndGet();
                }
                inFlight.release();
                done.countDown();
            });
        }
        if (!done.await(120, TimeUnit.SECONDS)) {
            throw new IllegalStateException("acks still missing after 120 s");
        }
        long elapsed = System.nanoTime() - start;
        if (report) {
            Arrays.sort(latency);
            out.printf("  ack latency (publish call to ack): p50 %.2f ms, p99 %.2f ms, max %.2f ms; %d failed%n",
                    latency[messages / 2] / 1e6, latency[(int) (messages * 0.99)] / 1e6,
                    latency[messages - 1] / 1e6, failures.get());
        }
        return elapsed;
    }
}
