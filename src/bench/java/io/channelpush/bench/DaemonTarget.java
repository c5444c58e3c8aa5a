package io.channelpush.bench;

import io.channelpush.channel.daemon.ChannelDaemon;
import io.channelpush.channel.daemon.DaemonConfig;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The daemon under test, in one of three modes: a {@link ChannelDaemon} in this JVM (sharing its cores and heap
 * with the load), a child JVM running {@code DaemonMain} on the same classpath (so the daemon has a JVM of its
 * own), or a daemon someone else runs, reached by port. Also tells how much CPU the daemon has used, where
 * that can be known: its event-loop thread in-process, the whole child process (JIT and GC included) otherwise.
 */
final class DaemonTarget implements AutoCloseable {
    private static final String DAEMON_MAIN = "io.channelpush.channel.daemon.DaemonMain";
    private static final long START_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final String mode;
    private final String detail;
    private final InetSocketAddress address;
    private final ChannelDaemon inProcess;
    private final Thread loopThread;
    private final Process child;
    private final Thread killChildOnExit;

    private DaemonTarget(String mode, String detail, InetSocketAddress address, ChannelDaemon inProcess,
                         Process child) {
        this.mode = mode;
        this.detail = detail;
        this.address = address;
        this.inProcess = inProcess;
        this.loopThread = inProcess == null ? null : findThread("channel-daemon-" + address.getPort());
        this.child = child;
        this.killChildOnExit = child == null ? null : new Thread(child::destroyForcibly, "bench-kill-daemon");
        if (killChildOnExit != null) {
            Runtime.getRuntime().addShutdownHook(killChildOnExit);
        }
    }

    /** A daemon in this JVM on 127.0.0.1 and a free port, with no warm-up replay. */
    static DaemonTarget inProcess() throws IOException {
        ChannelDaemon d = ChannelDaemon.start(DaemonConfig.defaults().withPort(0).withWarmup(Duration.ZERO)
                .withDataDir(java.nio.file.Files.createTempDirectory("bench-channel-data")));
        return new DaemonTarget("in-process", "ChannelDaemon in this JVM",
                new InetSocketAddress("127.0.0.1", d.port()), d, null);
    }

    /**
     * A child JVM: {@code java <jvmOptions> -cp <this classpath> DaemonMain --port <free> --warmup-ms 0}, its
     * output appended to {@code log}. Returns once the port accepts connections.
     */
    static DaemonTarget childProcess(List<String> jvmOptions, Path log) throws IOException, InterruptedException {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), DAEMON_MAIN,
                "--port", Integer.toString(port), "--warmup-ms", "0",
                "--data-dir", Files.createTempDirectory("bench-channel-data").toString()));
        Files.createDirectories(log.toAbsolutePath().getParent());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        InetSocketAddress address = new InetSocketAddress("127.0.0.1", port);
        long deadline = System.nanoTime() + START_TIMEOUT_NANOS;
        while (!accepts(address)) {
            if (!p.isAlive() || System.nanoTime() - deadline > 0) {
                p.destroyForcibly();
                throw new IOException("the daemon child process did not start listening on port " + port
                        + " (exit " + (p.isAlive() ? "none" : p.exitValue()) + "); see " + log);
            }
            Thread.sleep(50);
        }
        return new DaemonTarget("external-process", "child JVM pid " + p.pid() + ": " + String.join(" ", jvmOptions)
                + " DaemonMain --port " + port + " --warmup-ms 0", address, null, p);
    }

    /** A daemon that is already running. */
    static DaemonTarget existing(String host, int port) {
        return new DaemonTarget("external-port", "a daemon already running", new InetSocketAddress(host, port), null,
                null);
    }

    private static boolean accepts(InetSocketAddress address) {
        try (Socket s = new Socket()) {
            s.connect(address, 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static Thread findThread(String name) {
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals(name)) {
                return t;
            }
        }
        return null;
    }

    /** in-process, external-process or external-port. */
    String mode() {
        return mode;
    }

    /** Mode details for the report: the child's pid and command line, for instance. */
    String detail() {
        return detail;
    }

    InetSocketAddress address() {
        return address;
    }

    /** What {@link #cpuNanos()} covers, for the report. */
    String cpuScope() {
        if (inProcess != null) {
            return "daemon event-loop thread";
        }
        return child != null ? "daemon child JVM (all threads)" : "unknown (daemon not started by the bench)";
    }

    /** CPU time the daemon has used so far, or -1 when it cannot be known. */
    long cpuNanos() {
        if (loopThread != null) {
            ThreadMXBean mx = ManagementFactory.getThreadMXBean();
            return mx.getThreadCpuTime(loopThread.getId());
        }
        if (child != null) {
            return child.toHandle().info().totalCpuDuration().map(Duration::toNanos).orElse(-1L);
        }
        return -1;
    }

    /** Stops the in-process daemon or the child (SIGTERM, then SIGKILL after 10 s); leaves an existing one alone. */
    @Override
    public void close() {
        if (inProcess != null) {
            inProcess.close();
        }
        if (child != null) {
            child.destroy();
            try {
                if (!child.waitFor(10, TimeUnit.SECONDS)) {
                    child.destroyForcibly();
                }
            } catch (InterruptedException e) {
                child.destroyForcibly();
                Thread.currentThread().interrupt();
            }
            Runtime.getRuntime().removeShutdownHook(killChildOnExit);
        }
    }
}
