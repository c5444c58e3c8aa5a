package io.channelpush.bench;

import com.google.gson.FieldNamingPolicy;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.channelpush.channel.protocol.Messages;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Output of {@code daemon}: a header (machine, command, mode, settings), one line per run, a table with one line
 * per subscriber count (medians over the repeats, lost = worst run) with the spread and the CPU use, and the same
 * as JSON.
 */
final class DaemonReport {
    private final DaemonBenchOptions options;
    private final String command;
    private final Map<Integer, List<RunResult>> results = new LinkedHashMap<>();
    private String mode = "?";
    private String cpuScope = "?";
    private String detail = "?";

    DaemonReport(DaemonBenchOptions options, String command) {
        this.options = options;
        this.command = command;
    }

    void header(PrintStream out, DaemonTarget daemon) {
        mode = daemon.mode();
        cpuScope = daemon.cpuScope();
        detail = daemon.detail();
        out.println("# channel daemon fan-out: 1 publisher (ChannelClient) -> S raw NIO subscribers of channel \""
                + FanoutRun.CHANNEL + "\"");
        out.println("# machine: " + machine());
        out.println("# command: " + command);
        out.println("# daemon: " + mode + " at " + daemon.address().getHostString() + ":" + daemon.address().getPort()
                + " (" + daemon.detail() + ")");
        String events = options.events() == 0
                ? String.format(Locale.ROOT, "events per run: auto (publish %d s of warm-up, then %d s measured)",
                        options.warmupSeconds(), options.seconds())
                : String.format(Locale.ROOT, "events per run: %,d (first %.0f%% and at least %d s are warm-up)",
                        options.events(), options.warmupFraction() * 100, options.warmupSeconds());
        out.printf(Locale.ROOT, "# payload %d bytes (event frame %d bytes), %s, window %d publishes, limit %d s per run,"
                        + " %d run(s) per S%n", options.payloadBytes(), eventFrameBytes(), events, options.window(),
                options.maxSeconds(), options.repeat());
    }

    void run(PrintStream out, int repeat, RunResult r) {
        out.printf(Locale.ROOT, "# run %d S=%d: %,.0f events/s  p50 %.1f us  p99 %.1f us  max %.1f us  lost %d"
                        + "  (%d publishes, %,d delivered, %.2f s measured; CPU s: this JVM %s, daemon %s,"
                        + " publisher %s, subscribers %s; %d retries)%s%n",
                repeat, r.subscribers(), r.eventsPerSecond(), r.p50Us(), r.p99Us(), r.maxUs(), r.lost(),
                r.published(), r.delivered(), r.measuredSeconds(), num(r.benchCpuSeconds()), num(r.daemonCpuSeconds()),
                num(r.publisherCpuSeconds()), num(r.subscriberCpuSeconds()), r.publishRetries(),
                (r.timedOut() ? "  TIMED OUT" : "") + (r.failure() != null ? "  FAILED: " + r.failure() : ""));
    }

    void add(int subscribers, List<RunResult> runs) {
        results.put(subscribers, runs);
    }

    void summary(PrintStream out, DaemonTarget daemon) {
        String of = options.repeat() > 1 ? "median of " + options.repeat() + " runs; lost = worst run" : "1 run";
        out.println();
        out.println("subscribers   events/s    p50_us    p99_us    max_us  lost   (" + mode + ", " + of + ")");
        for (var e : results.entrySet()) {
            List<RunResult> rs = e.getValue();
            out.printf(Locale.ROOT, "%-11d  %9.0f  %8.1f  %8.1f  %8.1f  %4d%s%n", e.getKey(),
                    median(rs, RunResult::eventsPerSecond), median(rs, RunResult::p50Us), median(rs, RunResult::p99Us),
                    median(rs, RunResult::maxUs), worstLost(rs), clean(rs) ? "" : "  (timed out or failed)");
        }
        if (options.repeat() > 1) {
            out.println();
            out.println("spread (min..max over the runs):");
            for (var e : results.entrySet()) {
                List<RunResult> rs = e.getValue();
                out.printf(Locale.ROOT, "  S=%d: events/s %s  p50_us %s  p99_us %s  max_us %s%n", e.getKey(),
                        range(rs, RunResult::eventsPerSecond, "%.0f"), range(rs, RunResult::p50Us, "%.1f"),
                        range(rs, RunResult::p99Us, "%.1f"), range(rs, RunResult::maxUs, "%.1f"));
            }
        }
        out.println();
        out.printf(Locale.ROOT, "CPU over the measured window, in cores (CPU s / wall s; this machine has %d; median):%n",
                Runtime.getRuntime().availableProcessors());
        out.println("subscribers  this_jvm  daemon  publisher  subscribers   (daemon = " + cpuScope + ")");
        for (var e : results.entrySet()) {
            List<RunResult> rs = e.getValue();
            out.printf(Locale.ROOT, "%-11d  %8s  %6s  %9s  %11s%n", e.getKey(),
                    num(median(rs, r -> cores(r, r.benchCpuSeconds()))),
                    num(median(rs, r -> cores(r, r.daemonCpuSeconds()))),
                    num(median(rs, r -> cores(r, r.publisherCpuSeconds()))),
                    num(median(rs, r -> cores(r, r.subscriberCpuSeconds()))));
        }
        long uptimeMs = ManagementFactory.getRuntimeMXBean().getUptime();
        out.printf(Locale.ROOT, "# this JVM (load generator%s) used %.1f s of CPU in %.1f s since it started%n",
                mode.equals("in-process") ? " and daemon" : "", FanoutRun.processCpuNanos() / 1e9, uptimeMs / 1e3);
    }

    boolean allClean() {
        return results.values().stream().allMatch(DaemonReport::clean);
    }

    Path writeJson() throws IOException {
        JsonObject root = new JsonObject();
        root.addProperty("benchmark", "daemon");
        root.addProperty("mode", mode);
        root.addProperty("mode_detail", detail);
        root.addProperty("command", command);
        JsonObject m = new JsonObject();
        m.addProperty("available_processors", Runtime.getRuntime().availableProcessors());
        m.addProperty("java_version", System.getProperty("java.version"));
        m.addProperty("java_vm_name", System.getProperty("java.vm.name"));
        root.add("machine", m);
        JsonObject settings = new JsonObject();
        settings.addProperty("payload_bytes", options.payloadBytes());
        settings.addProperty("event_frame_bytes", eventFrameBytes());
        settings.addProperty("events_per_run", options.events() == 0 ? "auto" : Long.toString(options.events()));
        settings.addProperty("measured_seconds_target", options.seconds());
        settings.addProperty("warmup_fraction", options.warmupFraction());
        settings.addProperty("warmup_seconds_min", options.warmupSeconds());
        settings.addProperty("window", options.window());
        settings.addProperty("max_seconds", options.maxSeconds());
        settings.addProperty("repeat", options.repeat());
        settings.addProperty("daemon_cpu_scope", cpuScope);
        root.add("settings", settings);
        JsonArray summary = new JsonArray();
        JsonArray runs = new JsonArray();
        for (var e : results.entrySet()) {
            List<RunResult> rs = e.getValue();
            JsonObject s = new JsonObject();
            s.addProperty("subscribers", e.getKey());
            s.addProperty("events_per_second", Math.round(median(rs, RunResult::eventsPerSecond)));
            s.addProperty("events_per_second_min", Math.round(min(rs, RunResult::eventsPerSecond)));
            s.addProperty("events_per_second_max", Math.round(max(rs, RunResult::eventsPerSecond)));
            s.addProperty("p50_us", median(rs, RunResult::p50Us));
            s.addProperty("p99_us", median(rs, RunResult::p99Us));
            s.addProperty("p99_us_min", min(rs, RunResult::p99Us));
            s.addProperty("p99_us_max", max(rs, RunResult::p99Us));
            s.addProperty("max_us", median(rs, RunResult::maxUs));
            s.addProperty("lost", worstLost(rs));
            s.addProperty("clean", clean(rs));
            summary.add(s);
            for (RunResult r : rs) {
                runs.add(new GsonBuilder().setFieldNamingPolicy(FieldNamingPolicy.LOWER_CASE_WITH_UNDERSCORES)
                        .create().toJsonTree(r));
            }
        }
        root.add("summary", summary);
        root.add("runs", runs);
        Path file = options.json();
        if (file.toAbsolutePath().getParent() != null) {
            Files.createDirectories(file.toAbsolutePath().getParent());
        }
        Files.writeString(file, new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(root) + "\n",
                StandardCharsets.UTF_8);
        return file;
    }

    private int eventFrameBytes() {
        return Messages.event(FanoutRun.CHANNEL,
                FanoutRun.payload(System.nanoTime(), FanoutRun.pad(options.payloadBytes(), System.nanoTime()))
                        .toString()).length;
    }

    /** Two decimals, or n/a for the -1 of an unknown figure. */
    private static String num(double v) {
        return v < 0 ? "n/a" : String.format(Locale.ROOT, "%.2f", v);
    }

    static String machine() {
        return Runtime.getRuntime().availableProcessors() + " cpus, java " + System.getProperty("java.version")
                + ", " + System.getProperty("java.vm.name");
    }

    private static boolean clean(List<RunResult> rs) {
        return rs.stream().allMatch(r -> r.lost() == 0 && !r.timedOut() && r.failure() == null);
    }

    private static long worstLost(List<RunResult> rs) {
        return rs.stream().mapToLong(RunResult::lost).reduce((a, b) -> Math.abs(a) >= Math.abs(b) ? a : b).orElse(0);
    }

    private static double cores(RunResult r, double cpuSeconds) {
        return cpuSeconds < 0 || r.measuredSeconds() <= 0 ? -1 : cpuSeconds / r.measuredSeconds();
    }

    private static double[] sorted(List<RunResult> rs, ToDoubleFunction<RunResult> f) {
        double[] v = rs.stream().mapToDouble(f).toArray();
        Arrays.sort(v);
        return v;
    }

    static double median(List<RunResult> rs, ToDoubleFunction<RunResult> f) {
        double[] v = sorted(rs, f);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    private static double min(List<RunResult> rs, ToDoubleFunction<RunResult> f) {
        return sorted(rs, f)[0];
    }

    private static double max(List<RunResult> rs, ToDoubleFunction<RunResult> f) {
        double[] v = sorted(rs, f);
        return v[v.length - 1];
    }

    private static String range(List<RunResult> rs, ToDoubleFunction<RunResult> f, String format) {
        return String.format(Locale.ROOT, format + ".." + format, min(rs, f), max(rs, f));
    }
}
