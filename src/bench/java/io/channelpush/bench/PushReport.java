package io.channelpush.bench;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The push harness's output: one line per step as it happens, the same figures as JSON at the end. */
final class PushReport {
    /** A generation's "used 1234K" in {@code GC.heap_info}. */
    private static final Pattern USED = Pattern.compile("\\bused (\\d+)K");

    private final PushBenchOptions o;
    private final JsonObject json = new JsonObject();
    private final JsonArray phases = new JsonArray();

    PushReport(PushBenchOptions o, String command) {
        this.o = o;
        json.addProperty("command", command);
        json.addProperty("cores", Runtime.getRuntime().availableProcessors());
        json.addProperty("java", System.getProperty("java.version") + " " + System.getProperty("java.vm.name"));
        json.add("phases", phases);
    }

    void header(PrintStream out) {
        out.println("# push harness: " + o.clients() + " clients over " + o.wsUrls() + " from " + o.sources()
                + ", publishing to " + o.httpUrls());
        out.println("# machine: " + Runtime.getRuntime().availableProcessors() + " cores, Java "
                + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + "); payload "
                + o.payload() + " B, window " + o.window() + ", rate " + (o.rate() == 0 ? "unlimited" : o.rate() + "/s")
                + (o.inFlight() > 0 ? ", broadcasts in flight " + o.inFlight() : "")
                + "; client " + o.client() + (o.client().equals("nio") ? " x" + o.clientThreads() + " threads" : ""));
        out.println("# " + json.get("command").getAsString());
    }

    void connected(PrintStream out, int clients, int failures, double seconds, LatencyHistogram latency,
                   PushBench.Cpu cpu, long rssBeforeKb, long rssAfterKb) {
        JsonObject c = new JsonObject();
        c.addProperty("clients", clients);
        c.addProperty("failures", failures);
        c.addProperty("window", o.connectWindow());
        c.addProperty("connect_seconds", seconds);
        c.addProperty("connects_per_second", clients / seconds);
        c.addProperty("handshake_p50_ms", latency.percentileNanos(50) / 1e6);
        c.addProperty("handshake_p99_ms", latency.percentileNanos(99) / 1e6);
        c.addProperty("handshake_max_ms", latency.maxNanos() / 1e6);
        c.addProperty("server_cpu_seconds", cpu.servers());
        c.addProperty("harness_cpu_seconds", cpu.harness());
        out.printf(Locale.ROOT, "connect     %,d clients in %.2f s = %,.0f connects/s (%d in flight at most), "
                        + "connect to welcome p50 %.1f ms p99 %.1f ms max %.1f ms%s%n", clients, seconds, clients / seconds,
                o.connectWindow(), latency.percentileNanos(50) / 1e6, latency.percentileNanos(99) / 1e6,
                latency.maxNanos() / 1e6, failures > 0 ? "; " + failures + " failed" : "");
        if (!o.pids().isEmpty() && clients > 0) {
            out.printf(Locale.ROOT, "            CPU per connect: servers %.0f us, harness %.0f us%n",
                    cpu.servers() * 1e6 / clients, cpu.harness() * 1e6 / clients);
        }
        if (rssBeforeKb > 0) {
            double perConn = (rssAfterKb - rssBeforeKb) * 1024.0 / clients;
            c.addProperty("server_rss_before_kb", rssBeforeKb);
            c.addProperty("server_rss_after_kb", rssAfterKb);
            c.addProperty("server_rss_bytes_per_connection", perConn);
            c.addProperty("warm_connections", o.warmConnections());
            out.printf(Locale.ROOT, "idle memory servers %s: RSS %,d KB -> %,d KB = %,.0f bytes (%.1f KB) per connection"
                            + " (baseline after %,d connections opened and closed)%n",
                    o.pids(), rssBeforeKb, rssAfterKb, perConn, perConn / 1024, o.warmConnections());
        }
        json.add("connect", c);
    }

    void phase(PrintStream out, String name, int sent, long failures, long expected, Deliveries d, long startNanos,
               PushBench.Cpu cpu) {
        double serverCpuSeconds = cpu.servers();
        double harnessCpuSeconds = cpu.harness();
        long delivered = d.count();
        double seconds = Math.max(1e-9, (d.lastNanos() - startNanos) / 1e9);
        LatencyHistogram h = d.latency();
        JsonObject p = new JsonObject();
        p.addProperty("phase", name);
        p.addProperty("sent", sent);
        p.addProperty("failed_requests", failures);
        p.addProperty("expected_deliveries", expected);
        p.addProperty("delivered", delivered);
        p.addProperty("lost", expected - delivered);
        p.addProperty("seconds", seconds);
        p.addProperty("deliveries_per_second", delivered / seconds);
        p.addProperty("p50_ms", h.percentileNanos(50) / 1e6);
        p.addProperty("p99_ms", h.percentileNanos(99) / 1e6);
        p.addProperty("max_ms", h.maxNanos() / 1e6);
        p.addProperty("server_cpu_seconds", serverCpuSeconds);
        p.addProperty("harness_cpu_seconds", harnessCpuSeconds);
        p.addProperty("server_cpu_us_per_delivery", delivered == 0 ? 0 : serverCpuSeconds / delivered * 1e6);
        p.addProperty("harness_cpu_us_per_delivery", delivered == 0 ? 0 : harnessCpuSeconds / delivered * 1e6);
        phases.add(p);
        out.printf(Locale.ROOT, "%-10s  sent %,d (%d failed)  delivered %,d of %,d  lost %,d  in %.2f s = %,.0f deliveries/s"
                        + "  latency p50 %.1f ms  p99 %.1f ms  max %.1f ms  CPU: servers %.1f s, harness %.1f s%n", name,
                sent, failures, delivered, expected, expected - delivered, seconds, delivered / seconds,
                h.percentileNanos(50) / 1e6, h.percentileNanos(99) / 1e6, h.maxNanos() / 1e6, serverCpuSeconds,
                harnessCpuSeconds);
    }

    /** One kind of presence query: {@code sortedNanos} holds each query's time, ascending. */
    void presence(PrintStream out, String kind, long[] sortedNanos, double seconds) {
        int n = sortedNanos.length;
        JsonObject p = new JsonObject();
        p.addProperty("phase", "presence " + kind);
        p.addProperty("queries", n);
        p.addProperty("seconds", seconds);
        p.addProperty("p50_ms", sortedNanos[n / 2] / 1e6);
        p.addProperty("p99_ms", sortedNanos[n * 99 / 100] / 1e6);
        p.addProperty("max_ms", sortedNanos[n - 1] / 1e6);
        phases.add(p);
        out.printf(Locale.ROOT, "presence %-16s %,d queries in %.2f s, every answer checked: p50 %.2f ms  p99 %.2f ms"
                + "  max %.2f ms%n", kind, n, seconds, sortedNanos[n / 2] / 1e6, sortedNanos[n * 99 / 100] / 1e6,
                sortedNanos[n - 1] / 1e6);
    }

    /**
     * The servers' live heap before the users were bound, once presence counted them all, and once every client
     * had joined its group.
     */
    void bookkeeping(PrintStream out, int clients, long beforeKb, long usersKb, long groupsKb) {
        if (beforeKb <= 0) {
            return;
        }
        double users = (usersKb - beforeKb) * 1024.0 / clients;
        double groups = (groupsKb - usersKb) * 1024.0 / clients;
        JsonObject b = new JsonObject();
        b.addProperty("heap_before_kb", beforeKb);
        b.addProperty("heap_users_bound_kb", usersKb);
        b.addProperty("heap_groups_joined_kb", groupsKb);
        b.addProperty("user_bytes_per_connection", users);
        b.addProperty("group_bytes_per_connection", groups);
        json.add("user_presence_heap", b);
        out.printf(Locale.ROOT, "bookkeeping servers %s, live heap after full GCs: %,d KB -> users bound %,d KB -> one"
                + " group each %,d KB: bind_uid %,.0f + group join %,.0f = %,.0f bytes per connection%n", o.pids(),
                beforeKb, usersKb, groupsKb, users, groups, users + groups);
    }

    void finish(PrintStream out, double cpuSeconds, List<String> closes) {
        json.addProperty("harness_cpu_seconds", cpuSeconds);
        json.addProperty("unexpected_closes", closes.size());
        out.printf(Locale.ROOT, "# harness CPU: %.1f s (this JVM: clients + publisher)%s%n", cpuSeconds,
                closes.isEmpty() ? "" : "; unexpected closes: " + closes.size() + " e.g. " + closes.get(0));
    }

    String json() {
        return new GsonBuilder().setPrettyPrinting().create().toJson(json);
    }

    /** CPU seconds (user + system) the processes have used so far, from /proc; 0 without pids. */
    static double cpuSeconds(List<Long> pids) throws IOException {
        double total = 0;
        for (long pid : pids) {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // fields 14 and 15 of stat (utime, stime), counted after the command name: indexes 11 and 12
            total += (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
        }
        return total;
    }

    /**
     * Sum of the processes' heap in use after a full GC ({@code jcmd <pid> GC.run}, then the generations' "used" of
     * {@code GC.heap_info}), in KB; 0 without pids.
     */
    static long heapUsedKb(List<Long> pids) throws IOException, InterruptedException {
        long total = 0;
        for (long pid : pids) {
            jcmd(pid, "GC.run");
            for (String line : jcmd(pid, "GC.heap_info").split("\n")) {
                Matcher m = USED.matcher(line);
                if (!line.contains("Metaspace") && !line.contains("class space") && m.find()) {
                    total += Long.parseLong(m.group(1));
                }
            }
        }
        return total;
    }

    private static String jcmd(long pid, String command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(pid), command).redirectErrorStream(true).start();
        byte[] output = p.getInputStream().readAllBytes();
        p.waitFor(30, TimeUnit.SECONDS);
        return new String(output, StandardCharsets.UTF_8);
    }

    /**
     * Sum of the resident set of the processes, in KB, from /proc, after asking each for a full GC with
     * {@code jcmd <pid> GC.run} (so that garbage does not count and G1 may give memory back); 0 without pids.
     */
    static long rssKb(List<Long> pids) throws IOException, InterruptedException {
        long total = 0;
        for (long pid : pids) {
            Process gc = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                    Long.toString(pid), "GC.run").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            gc.waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    total += Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        }
        return total;
    }
}
