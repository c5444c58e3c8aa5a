package io.channelpush.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Command-line options of {@code daemon}; see {@link #USAGE}. Immutable.
 *
 * @param subscribers one run per value, in order
 * @param events events delivered per run (publishes = events / subscribers), warm-up included; 0 for "auto":
 *     publish for {@code warmupSeconds} of warm-up and then for {@code seconds}
 * @param seconds with {@code events} auto, how long the measured part of a run should last
 * @param warmupFraction with a fixed {@code events}, the leading share of the publishes left out of every figure
 * @param warmupSeconds the warm-up lasts at least this long; with a fixed {@code events} the run is extended so
 *     that the measured part stays {@code (1 - warmupFraction) * events}
 * @param window most publishes in flight (published minus what the slowest subscriber has received)
 * @param payloadBytes size of the JSON {@code data} of each publish
 * @param maxSeconds hard limit on the publishing of one run; it then stops and reports what it has
 * @param repeat runs per subscriber count; the summary gives the median and the spread
 * @param externalDaemon start the daemon as a child JVM instead of in this one
 * @param daemonJvm JVM options of that child
 * @param host host of an already running daemon (with {@code port})
 * @param port port of an already running daemon, or 0 for a daemon the bench starts
 * @param json where the figures are also written as JSON
 */
record DaemonBenchOptions(List<Integer> subscribers, long events, int seconds, double warmupFraction,
                          int warmupSeconds,
                          int window,
                          int payloadBytes, int maxSeconds, int repeat, boolean externalDaemon,
                          List<String> daemonJvm, String host, int port, Path json) {

    static final String USAGE = """
            usage: BenchMain daemon [options]
              One publisher (ChannelClient) fans out to S raw NIO subscribers of one channel through a channel
              daemon; prints events delivered per second, publish-to-receive latency (p50/p99/max) and lost events.
              --subscribers S[,S...]  subscriber counts, one run each (default 10,100)
              --events N|auto         events delivered per run, warm-up included; auto (default): publish
                                      for --warmup-seconds of warm-up, then for --seconds measured (a run
                                      lasts about 2 + 6 s whatever S and the machine)
              --seconds T             measured publishing time per run with --events auto (default 6)
              --warmup-fraction F     with --events N: share of N excluded from the figures (default 0.2)
              --warmup-seconds T      the warm-up lasts at least T s; with --events N the run is extended
                                      so that (1-F)*N events are still measured (default 2)
              --window W              most publishes in flight (default 2000)
              --payload-bytes B       JSON size of each publish's data (default 100, at least 40)
              --max-seconds T         hard limit per run; stops and reports what it has (default 60)
              --repeat R              runs per subscriber count; summary = median and min..max (default 1)
              --external-daemon       run the daemon in a child JVM (same classpath) instead of in-process
              --daemon-jvm "OPTS"     JVM options of that child (default "-Xms1g -Xmx1g")
              --port P [--host H]     use a daemon already running at H:P (default host 127.0.0.1)
              --json FILE             JSON output (default target/bench-daemon.json)
            """;

    private static final List<String> VALUED = List.of("--subscribers", "--events", "--seconds", "--warmup-fraction",
            "--warmup-seconds", "--window", "--payload-bytes", "--max-seconds", "--repeat", "--daemon-jvm", "--host",
            "--port", "--json");

    static DaemonBenchOptions parse(String[] args) {
        List<Integer> subscribers = List.of(10, 100);
        long events = 0;
        int seconds = 6;
        double warmup = 0.2;
        int warmupSeconds = 2;
        int window = 2000;
        int payload = 100;
        int maxSeconds = 60;
        int repeat = 1;
        boolean external = false;
        List<String> daemonJvm = List.of("-Xms1g", "-Xmx1g");
        String host = "127.0.0.1";
        int port = 0;
        Path json = Path.of("target", "bench-daemon.json");
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--external-daemon")) {
                external = true;
                continue;
            }
            if (!VALUED.contains(a)) {
                throw new IllegalArgumentException("unknown option " + a);
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(a + " needs a value");
            }
            String v = args[++i];
            switch (a) {
                case "--subscribers" -> subscribers = counts(v);
                case "--events" -> events = v.equals("auto") ? 0 : positive(a, Long.parseLong(v.replace("_", "")));
                case "--seconds" -> seconds = (int) positive(a, Integer.parseInt(v));
                case "--warmup-fraction" -> warmup = Double.parseDouble(v);
                case "--warmup-seconds" -> warmupSeconds = Integer.parseInt(v);
                case "--window" -> window = (int) positive(a, Integer.parseInt(v));
                case "--payload-bytes" -> payload = Integer.parseInt(v);
                case "--max-seconds" -> maxSeconds = (int) positive(a, Integer.parseInt(v));
                case "--repeat" -> repeat = (int) positive(a, Integer.parseInt(v));
                case "--daemon-jvm" -> daemonJvm = v.isBlank() ? List.of() : Arrays.asList(v.trim().split("\\s+"));
                case "--host" -> host = v;
                case "--port" -> port = Integer.parseInt(v);
                case "--json" -> json = Path.of(v);
                default -> throw new IllegalArgumentException("unknown option " + a);
            }
        }
        if (warmup < 0 || warmup >= 1) {
            throw new IllegalArgumentException("--warmup-fraction must be in [0, 1)");
        }
        if (warmupSeconds < 0) {
            throw new IllegalArgumentException("--warmup-seconds must be at least 0");
        }
        if (payload < 40) {
            throw new IllegalArgumentException("--payload-bytes must be at least 40");
        }
        if (port < 0 || port > 65535 || (port > 0 && external)) {
            throw new IllegalArgumentException("--port must be 1..65535 and not combined with --external-daemon");
        }
        return new DaemonBenchOptions(subscribers, events, seconds, warmup, warmupSeconds, window, payload, maxSeconds, repeat, external,
                daemonJvm, host, port, json);
    }

    private static List<Integer> counts(String v) {
        List<Integer> out = new ArrayList<>();
        for (String s : v.split(",")) {
            out.add((int) positive("--subscribers", Integer.parseInt(s.trim())));
        }
        return List.copyOf(out);
    }

    private static long positive(String option, long v) {
        if (v < 1) {
            throw new IllegalArgumentException(option + " must be at least 1, got " + v);
        }
        return v;
    }
}
