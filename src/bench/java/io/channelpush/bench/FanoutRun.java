package io.channelpush.bench;

import com.google.gson.JsonObject;
import io.channelpush.channel.client.ChannelClient;
import io.channelpush.channel.client.ChannelUnavailableException;
import io.channelpush.channel.client.ClientOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One run: one publisher ({@link ChannelClient}, on the calling thread) and S {@link FanoutSubscribers} of one
 * channel, against a {@link DaemonTarget}.
 *
 * <p>Phases: connect; wait for every subscriber's {@code welcome}; publish markers until every subscriber has seen
 * one (so every subscription is in place); publish {@code events / S} events of {@code {"t":nanoTime,"p":"xx.."}}
 * (padded to the payload size), the first {@code warmupFraction} of them (and at least {@code warmupSeconds} of
 * publishing, the run being extended then) unmeasured; wait until every subscriber has received every event; count.
 * With {@code events} auto, the warm-up lasts {@code warmupSeconds} and publishing stops {@code seconds} after the
 * measured part began (so the count is whatever was published, and is still checked event by event). Flow control: at most {@code window} publishes are in flight (published minus
 * received by the slowest subscriber), so the daemon's per-connection queues stay at about
 * {@code window * frame size}, far under its 16 MiB slow-consumer limit; a publish refused by a full client
 * buffer is retried after a short pause. The run stops at {@code maxSeconds} whatever happens, then waits at most
 * {@value #DRAIN_SECONDS} s more for events in flight.
 */
final class FanoutRun {
    static final String CHANNEL = "bench";
    private static final String CLIENT_NAME = "bench-publisher";
    private static final long DRAIN_SECONDS = 5;
    private static final Duration SETUP_TIMEOUT = Duration.ofSeconds(15);

    private final DaemonTarget daemon;
    private final DaemonBenchOptions options;

    FanoutRun(DaemonTarget daemon, DaemonBenchOptions options) {
        this.daemon = daemon;
        this.options = options;
    }

    /** The JSON {@code data} of a publish: {"t":..., "p":"xxx"} of exactly {@code payloadBytes}. */
    static JsonObject payload(long t, String pad) {
        JsonObject o = new JsonObject();
        o.addProperty("t", t);
        o.addProperty("p", pad);
        return o;
    }

    /**
     * {@link #payload} as the UTF-8 JSON bytes Gson writes for it, built without a tree: published with
     * {@code ChannelClient.publish(String, byte[])}, as a push node publishes what its codec encoded once.
     */
    static byte[] payloadBytes(long t, String pad) {
        return ("{\"t\":" + t + ",\"p\":\"" + pad + "\"}").getBytes(StandardCharsets.UTF_8);
    }

    /** The padding that makes {@link #payload} {@code payloadBytes} long for timestamps as long as {@code t}. */
    static String pad(int payloadBytes, long t) {
        int fixed = payload(t, "").toString().length();
        return "x".repeat(Math.max(0, payloadBytes - fixed));
    }

    RunResult run(int subscribers) throws IOException, InterruptedException {
        ClientOptions co = ClientOptions.of(daemon.address().getHostString(), daemon.address().getPort())
                .withClientName(CLIENT_NAME);
        try (ChannelClient client = ChannelClient.start(co);
             FanoutSubscribers subs = FanoutSubscribers.open(daemon.address(), CHANNEL, subscribers)) {
            if (!client.awaitConnected(SETUP_TIMEOUT)) {
                throw new IOException("the publisher could not connect to the daemon at " + daemon.address());
            }
            awaitSetup(client, subs);
            return publishAndCount(client, subs);
        }
    }

    private void awaitSetup(ChannelClient client, FanoutSubscribers subs) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + SETUP_TIMEOUT.toNanos();
        while (subs.welcomed() < subs.size()) {
            check(subs, deadline, "welcome");
            Thread.sleep(5);
        }
        long marker = 0;
        while (subs.marked() < subs.size()) {
            check(subs, deadline, "a marker (subscriptions not active)");
            JsonObject m = new JsonObject();
            m.addProperty("m", ++marker);
            client.publish(CHANNEL, m);
            Thread.sleep(10);
        }
    }

    private static void check(FanoutSubscribers subs, long deadline, String what) throws IOException {
        if (subs.failure() != null) {
            throw new IOException(subs.failure());
        }
        if (System.nanoTime() - deadline > 0) {
            throw new IOException("not every subscriber received " + what + " within " + SETUP_TIMEOUT.toSeconds()
                    + " s");
        }
    }

    private RunResult publishAndCount(ChannelClient client, FanoutSubscribers subs) throws InterruptedException {
        int s = subs.size();
        boolean auto = options.events() == 0;
        long publishes = auto ? Long.MAX_VALUE : Math.max(1, options.events() / s);
        long warmup = auto ? 0 : (long) (publishes * options.warmupFraction());
        long measured = publishes - warmup;
        long warmupNanos = TimeUnit.SECONDS.toNanos(options.warmupSeconds());
        int window = options.window();
        String pad = pad(options.payloadBytes(), System.nanoTime());
        CpuMeter cpu = new CpuMeter(subs.thread());

        long start = System.nanoTime();
        long deadline = start + TimeUnit.SECONDS.toNanos(options.maxSeconds());
        long measureFrom = 0;
        long measureNanos = TimeUnit.SECONDS.toNanos(options.seconds());
        boolean measuring = false;
        long published = 0;
        long retries = 0;
        boolean timedOut = false;
        while (!measuring || published < publishes) {
            if (!measuring && published >= warmup && System.nanoTime() - start >= warmupNanos) {
                publishes = auto ? Long.MAX_VALUE : published + measured;
                cpu.start(daemon);
                measureFrom = System.nanoTime();
                subs.startMeasuring(measureFrom);
                measuring = true;
            }
            if (published - subs.minReceived() >= window || (published & 1023) == 0) {
                if (subs.failure() != null) {
                    break;
                }
                if (System.nanoTime() - deadline > 0) {
                    timedOut = true;
                    break;
                }
                if (auto && measuring && System.nanoTime() - measureFrom >= measureNanos) {
                    break;
                }
                if (published - subs.minReceived() >= window) {
                    LockSupport.parkNanos(20_000);
                    continue;
                }
            }
            try {
                client.publish(CHANNEL, payloadBytes(System.nanoTime(), pad));
                published++;
            } catch (ChannelUnavailableException e) {
                retries++;
                LockSupport.parkNanos(50_000);
            }
        }
        long drainDeadline = Math.max(deadline - System.nanoTime(), TimeUnit.SECONDS.toNanos(DRAIN_SECONDS))
                + System.nanoTime();
        while (subs.minReceived() < published && subs.failure() == null && System.nanoTime() - drainDeadline < 0) {
            LockSupport.parkNanos(100_000);
        }
        timedOut |= subs.minReceived() < published && subs.failure() == null;
        double[] cpuSeconds = measuring ? cpu.stop(daemon) : new double[] {-1, -1, -1, -1};
        subs.close();

        LatencyHistogram h = subs.histogram();
        double seconds = measuring ? Math.max(0, subs.lastEventNanos() - measureFrom) / 1e9 : 0;
        double rate = seconds > 0 ? subs.eventsSinceMeasure() / seconds : 0;
        return new RunResult(s, published, subs.totalEvents(), published * s - subs.totalEvents(), rate, seconds,
                h.count(), h.percentileNanos(50) / 1e3, h.percentileNanos(99) / 1e3, h.maxNanos() / 1e3,
                cpuSeconds[0], cpuSeconds[1], cpuSeconds[2], cpuSeconds[3], retries, timedOut, subs.failure());
    }

    /** CPU time over the measured window: this JVM, the daemon, the publisher's threads, the subscribers' thread. */
    private static final class CpuMeter {
        private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        private final List<Thread> publisher = new ArrayList<>();
        private final Thread subscriber;
        private long[] begin;

        CpuMeter(Thread subscriber) {
            this.subscriber = subscriber;
            publisher.add(Thread.currentThread());
            for (Thread t : Thread.getAllStackTraces().keySet()) {
                if (t.getName().endsWith("-" + CLIENT_NAME) && t.getName().startsWith("channel-")) {
                    publisher.add(t);
                }
            }
        }

        void start(DaemonTarget daemon) {
            begin = sample(daemon);
        }

        double[] stop(DaemonTarget daemon) {
            long[] end = sample(daemon);
            double[] out = new double[end.length];
            for (int i = 0; i < end.length; i++) {
                out[i] = end[i] < 0 || begin[i] < 0 ? -1 : (end[i] - begin[i]) / 1e9;
            }
            return out;
        }

        private long[] sample(DaemonTarget daemon) {
            long pub = 0;
            for (Thread t : publisher) {
                pub += Math.max(0, threads.getThreadCpuTime(t.getId()));
            }
            return new long[] {processCpuNanos(), daemon.cpuNanos(), pub, threads.getThreadCpuTime(subscriber.getId())};
        }
    }

    /** CPU time this JVM has used, or -1 when the platform does not tell. */
    static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }
}
