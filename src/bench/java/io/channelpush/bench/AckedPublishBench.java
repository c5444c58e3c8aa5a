package io.channelpush.bench;

import io.channelpush.channel.daemon.ChannelDaemon;
import io.channelpush.channel.daemon.DaemonConfig;
import io.channelpush.channel.protocol.FrameCodec;
import io.channelpush.channel.protocol.Messages;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code daemon-acked}: acknowledged publishing (protocol version 2) through an in-process channel daemon. One
 * publisher socket keeps at most {@code window} publishes with an {@code id} in flight (a writer thread sends, a reader
 * thread counts the acks); S subscriber sockets (one thread each) count the events. One run per mode: {@code plain}
 * (the acked publish goes to a channel that is not a stream: no disk), {@code interval} (stream {@code b}, the default
 * {@code --fsync interval}) and {@code always} (stream {@code b}, {@code --fsync always}: group commit). Prints acks/s
 * and events/s over the measured seconds and the events lost (published x S minus received, must be 0). Bounded: a
 * run publishes for 2 s of warm-up plus {@code --seconds}, and waits at most 30 s more for the last events.
 */
final class AckedPublishBench {
    private static final Logger QUIET = Logger.getLogger("io.channelpush");

    private AckedPublishBench() {
    }

    static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        int subscribers = 10;
        int seconds = 6;
        int window = 2000;
        List<String> modes = List.of("plain", "interval", "always");
        long fsyncMillis = 1000;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--subscribers" -> subscribers = Integer.parseInt(args[i + 1]);
                case "--seconds" -> seconds = Integer.parseInt(args[i + 1]);
                case "--window" -> window = Integer.parseInt(args[i + 1]);
                case "--modes" -> modes = List.of(args[i + 1].split(","));
                case "--fsync-interval-ms" -> fsyncMillis = Long.parseLong(args[i + 1]);
                default -> {
                    err.println("usage: BenchMain daemon-acked [--subscribers 10] [--seconds 6] [--window 2000] "
                            + "[--modes plain,interval,always] [--fsync-interval-ms 1000]");
                    return 2;
                }
            }
        }
        QUIET.setLevel(Level.WARNING);
        out.printf("# daemon-acked: 1 publisher (window %d) -> %d subscribers, %d s measured, %d cores, load %.2f%n",
                window, subscribers, seconds, Runtime.getRuntime().availableProcessors(),
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        out.println("mode      acks/s    events/s   lost   loop CPU ns/publish");
        boolean clean = true;
        for (String mode : modes) {
            DaemonConfig c = DaemonConfig.defaults().withPort(0).withWarmup(Duration.ZERO)
                    .withDataDir(Files.createTempDirectory("bench-acked"));
            c = c.withStreams(c.streams().withFsync(mode.equals("always"), Duration.ofMillis(fsyncMillis)));
            String channel = mode.equals("plain") ? "news" : "b";
            try (ChannelDaemon d = ChannelDaemon.start(c)) {
                long[] r = run(d.port(), channel, subscribers, seconds, window);
                out.printf("%-8s %8d %11d %6d   %6d%n", mode, r[0], r[1], r[2], r[3]);
                clean &= r[2] == 0;
            }
        }
        out.printf("# load average after: %.2f%n", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        return clean ? 0 : 1;
    }

    /** @return acks/s, events/s, lost, the daemon loop thread's CPU nanoseconds per acked publish (measured part) */
    private static long[] run(int port, String channel, int s, int seconds, int window) throws Exception {
        List<Socket> subs = new ArrayList<>();
        List<Thread> readers = new ArrayList<>();
        AtomicLong received = new AtomicLong();
        String pad = "x".repeat(60);
        try (Socket pub = new Socket("127.0.0.1", port)) {
            for (int i = 0; i < s; i++) {
                Socket sub = new Socket("127.0.0.1", port);
                subs.add(sub);
                OutputStream o = sub.getOutputStream();
                o.write(Messages.hello("bench-sub", null));
                o.write(FrameCodec.encode("{\"type\":\"subscribe\",\"channels\":[\"" + channel + "\"]}"));
                o.write(FrameCodec.encode("{\"type\":\"ping\"}"));
                DataInputStream in = new DataInputStream(new BufferedInputStream(sub.getInputStream(), 1 << 16));
                FrameCodec.read(in, 1 << 20); // welcome
                FrameCodec.read(in, 1 << 20); // pong: subscribed
                Thread t = new Thread(() -> {
                    try {
                        while (FrameCodec.read(in, 1 << 20) != null) {
                            received.incrementAndGet();
                        }
                    } catch (Exception e) {
                        // closed at the end
                    }
                }, "bench-sub");
                t.setDaemon(true);
                t.start();
                readers.add(t);
            }
            OutputStream po = new BufferedOutputStream(pub.getOutputStream(), 1 << 16);
            DataInputStream pi = new DataInputStream(new BufferedInputStream(pub.getInputStream(), 1 << 16));
            po.write(FrameCodec.encode("{\"type\":\"hello\",\"protocol\":2,\"client\":\"bench-pub\"}"));
            po.flush();
            FrameCodec.read(pi, 1 << 20);
            AtomicLong acked = new AtomicLong();
            Thread ackReader = new Thread(() -> {
                try {
                    byte[] body;
                    while ((body = FrameCodec.read(pi, 1 << 20)) != null) {
                        if (body[9] != 'a') { // {"type":"ack"...
                            throw new IOException("not an ack: " + new String(body, StandardCharsets.UTF_8));
                        }
                        acked.incrementAndGet();
                    }
                } catch (Exception e) {
                    // closed at the end
                }
            }, "bench-acks");
            ackReader.setDaemon(true);
            ackReader.start();
            Thread loopThread = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().equals("channel-daemon-" + port)).findFirst().orElseThrow();
            java.lang.management.ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            long cpuAtStart = 0;
            long start = System.nanoTime();
            long measureFrom = start + 2_000_000_000L;
            long end = measureFrom + seconds * 1_000_000_000L;
            long sent = 0;
            long ackedAtStart = -1;
            long receivedAtStart = 0;
            long now;
            while ((now = System.nanoTime()) < end) {
                if (ackedAtStart < 0 && now >= measureFrom) {
                    ackedAtStart = acked.get();
                    receivedAtStart = received.get();
                    cpuAtStart = threads.getThreadCpuTime(loopThread.getId());
                }
                if (sent - acked.get() >= window || sent * s - received.get() >= (long) window * s) {
                    po.flush();
                    Thread.onSpinWait();
                    continue;
                }
                po.write(FrameCodec.encode("{\"type\":\"publish\",\"id\":" + sent + ",\"channels\":[\"" + channel
                        + "\"],\"data\":{\"t\":" + now + ",\"p\":\"" + pad + "\"}}"));
                sent++;
                if ((sent & 63) == 0) {
                    po.flush();
                }
            }
            po.flush();
            long ackedMeasured = acked.get() - ackedAtStart;
            long cpu = threads.getThreadCpuTime(loopThread.getId()) - cpuAtStart;
            long receivedMeasured = received.get() - receivedAtStart;
            long drainDeadline = System.nanoTime() + 30_000_000_000L;
            while ((acked.get() < sent || received.get() < sent * s) && System.nanoTime() < drainDeadline) {
                Thread.onSpinWait();
            }
            return new long[] {ackedMeasured / seconds, receivedMeasured / seconds, sent * s - received.get(),
                    cpu / Math.max(1, ackedMeasured)};
        } finally {
            for (Socket sub : subs) {
                sub.close();
            }
            for (Thread t : readers) {
                t.join(5_000);
            }
        }
    }
}
