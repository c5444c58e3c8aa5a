package io.channelpush.bench;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code daemon}: throughput and latency of the channel daemon's fan-out.
 *
 * <p>What it measures: one publisher (the real {@code ChannelClient}) publishes events of a ~100-byte JSON payload
 * to one channel with S subscribers (default S = 10, then S = 100), and reports, per S, the events delivered per
 * second summed over the subscribers, the p50/p99/max publish-to-receive latency (publisher's System.nanoTime in
 * the payload, subscriber's System.nanoTime when the socket read returned), and the lost events (publishes x S
 * minus received, which must be 0). It also reports the CPU time this JVM, the daemon, the publisher and the
 * subscribers used, so the load generator's share of the machine is known.
 *
 * <p>How: the daemon runs in this JVM (default), in a child JVM started by the bench ({@code --external-daemon}),
 * or is an existing one ({@code --port}). The subscribers are raw non-blocking sockets on one selector thread that
 * only cut frames and scan for the timestamp ({@link FanoutSubscribers}); the publisher keeps at most a window of
 * publishes in flight, so nothing is dropped as a slow consumer ({@link FanoutRun}). Each run is bounded in events
 * and in time and excludes a warm-up share. The figures go to stdout as a table and to a JSON file
 * ({@link DaemonReport}).
 */
public final class DaemonBench {
    /** Keeps the quietened logger alive (the log manager holds loggers weakly). */
    private static final Logger QUIET = Logger.getLogger("io.channelpush");

    private DaemonBench() {
    }

    /** Runs the benchmark; returns the process exit code (0 when every run lost nothing and finished in time). */
    public static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
            out.print(DaemonBenchOptions.USAGE);
            return 0;
        }
        DaemonBenchOptions options;
        try {
            options = DaemonBenchOptions.parse(args);
        } catch (IllegalArgumentException e) {
            err.println("daemon: " + e.getMessage());
            err.print(DaemonBenchOptions.USAGE);
            return 2;
        }
        QUIET.setLevel(Level.WARNING);
        DaemonReport report = new DaemonReport(options, commandLine(args));
        try (DaemonTarget daemon = target(options)) {
            report.header(out, daemon);
            FanoutRun run = new FanoutRun(daemon, options);
            for (int s : options.subscribers()) {
                List<RunResult> results = new ArrayList<>();
                for (int r = 1; r <= options.repeat(); r++) {
                    RunResult result = run.run(s);
                    results.add(result);
                    report.run(out, r, result);
                }
                report.add(s, results);
            }
            report.summary(out, daemon);
        }
        Path json = report.writeJson();
        out.println("# JSON: " + json.toAbsolutePath());
        return report.allClean() ? 0 : 1;
    }

    private static DaemonTarget target(DaemonBenchOptions o) throws Exception {
        if (o.port() > 0) {
            return DaemonTarget.existing(o.host(), o.port());
        }
        if (o.externalDaemon()) {
            return DaemonTarget.childProcess(o.daemonJvm(), Path.of("target", "bench-daemon-child.log"));
        }
        return DaemonTarget.inProcess();
    }

    /** The command that ran: JVM options, main class and arguments (the classpath left out). */
    private static String commandLine(String[] args) {
        List<String> parts = new ArrayList<>();
        parts.add("java");
        parts.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        parts.add("-cp <test classpath> " + BenchMain.class.getName() + " daemon");
        parts.addAll(List.of(args));
        return String.join(" ", parts);
    }
}
