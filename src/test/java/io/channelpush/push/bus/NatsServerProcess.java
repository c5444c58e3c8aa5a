package io.channelpush.push.bus;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A real {@code nats-server} process on 127.0.0.1 with JetStream (as the bus needs; in a temporary store unless
 * one is given, which survives {@link #kill()} and is reused by {@link #startAgain()}), started and ready (its log said "Server is ready") when
 * {@link #start} returns. {@link #close()} stops it with SIGTERM, {@link #kill()} with SIGKILL, as a crash would;
 * {@link #startAgain()} starts a new process with the same name and ports. Tests fail, not skip, when
 * {@code nats-server} is not installed: CI installs it. Not thread-safe; one test drives it.
 */
public final class NatsServerProcess implements AutoCloseable {
    private static final int READY_SECONDS = 10;

    public final String name;
    public final int port;
    /** Port of the cluster listener, or 0 for a server outside any cluster. */
    public final int clusterPort;
    private final int[] routePorts;
    /** JetStream's store directory, or null for a server without JetStream. */
    private final Path storeDir;
    /** Whether {@link #close()} deletes {@link #storeDir} (a temporary one this class made). */
    private final boolean ownsStore;
    private final Process process;
    private final List<String> log = new CopyOnWriteArrayList<>();
    private final CompletableFuture<Void> ready = new CompletableFuture<>();

    private NatsServerProcess(String name, int port, int clusterPort, int[] routePorts, Path config, Path storeDir,
                              boolean ownsStore) throws IOException {
        this.ownsStore = ownsStore;
        this.name = name;
        this.port = port;
        this.clusterPort = clusterPort;
        this.routePorts = routePorts.clone();
        this.storeDir = storeDir;
        List<String> cmd = new ArrayList<>(List.of(binary().toString(), "-a", "127.0.0.1", "-p", String.valueOf(port),
                "-n", name));
        if (storeDir != null) {
            cmd.addAll(List.of("-js", "-sd", storeDir.toString()));
        }
        if (config != null) {
            cmd.addAll(List.of("-c", config.toString()));
        }
        if (clusterPort > 0) {
            cmd.addAll(List.of("--cluster_name", "channelpush-test", "--cluster", "nats://127.0.0.1:" + clusterPort));
            List<String> routes = new ArrayList<>();
            for (int r : routePorts) {
                routes.add("nats://127.0.0.1:" + r);
            }
            if (routes.isEmpty()) {
                // A JetStream cluster server needs a route; one to itself is ignored by the server.
                routes.add("nats://127.0.0.1:" + clusterPort);
            }
            cmd.addAll(List.of("--routes", String.join(",", routes)));
        }
        process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        Thread reader = new Thread(this::pump, "nats-server-" + name + "-log");
        reader.setDaemon(true);
        reader.start();
    }

    /** A standalone server on a free port. */
    public static NatsServerProcess start() throws Exception {
        int port = freePort();
        return start("nats-" + port, port, 0);
    }

    /**
     * A server with the given ports; with a cluster port it joins the cluster and dials the route ports.
     *
     * @throws AssertionError when nats-server is missing, exits, or is not ready within 10 s
     */
    public static NatsServerProcess start(String name, int port, int clusterPort, int... routePorts) throws Exception {
        NatsServerProcess s = new NatsServerProcess(name, port, clusterPort, routePorts, null,
                Files.createTempDirectory("nats-js-" + name), true);
        s.awaitReady();
        return s;
    }

    /** As {@link #start(String, int, int, int...)}, with JetStream storing in {@code storeDir} (null: without). */
    public static NatsServerProcess startJetStream(Path storeDir, String name, int port, int clusterPort,
                                                   int... routePorts) throws Exception {
        NatsServerProcess s = new NatsServerProcess(name, port, clusterPort, routePorts, null, storeDir, false);
        s.awaitReady();
        return s;
    }

    /** A standalone JetStream server on a free port storing in {@code storeDir}. */
    public static NatsServerProcess startJetStream(Path storeDir) throws Exception {
        int port = freePort();
        return startJetStream(storeDir, "nats-" + port, port, 0);
    }

    /**
     * A standalone server on a free port that also reads {@code config} (nats-server's configuration format, e.g.
     * {@code authorization} or {@code tls} blocks), written to {@code dir}.
     */
    public static NatsServerProcess startWithConfig(Path dir, String config) throws Exception {
        int port = freePort();
        Path file = Files.writeString(dir.resolve("nats-" + port + ".conf"), config);
        NatsServerProcess s = new NatsServerProcess("nats-" + port, port, 0, new int[0], file, null, false);
        s.awaitReady();
        return s;
    }

    /** A new process with this one's name and ports; stop this one first. */
    public NatsServerProcess startAgain() throws Exception {
        NatsServerProcess s = new NatsServerProcess(name, port, clusterPort, routePorts, null,
                storeDir == null ? null : Files.createDirectories(storeDir), ownsStore);
        s.awaitReady();
        return s;
    }

    /**
     * SIGSTOP (true) or SIGCONT (false), returning once it has taken effect: a stalled server keeps its sockets open
     * and answers nothing.
     */
    public void pause(boolean stop) throws Exception {
        if (stop) {
            io.channelpush.processes.Signals.stop(process.pid());
        } else {
            io.channelpush.processes.Signals.resume(process.pid());
        }
    }

    /** {@code nats://127.0.0.1:port}. */
    public String url() {
        return "nats://127.0.0.1:" + port;
    }

    public String output() {
        return String.join("\n", log);
    }

    private void awaitReady() throws Exception {
        try {
            ready.get(READY_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException | ExecutionException e) {
            close();
            throw new AssertionError("nats-server " + name + " did not become ready within " + READY_SECONDS
                    + " s; its output:\n" + output(), e);
        }
    }

    private void pump() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                log.add(line);
                if (line.contains("Server is ready")) {
                    ready.complete(null);
                }
            }
        } catch (IOException e) {
            // the process ended
        }
        ready.completeExceptionally(new IllegalStateException("nats-server exited with " + exitCode()));
    }

    private String exitCode() {
        try {
            return String.valueOf(process.waitFor(5, TimeUnit.SECONDS) ? process.exitValue() : "nothing yet");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }

    /** SIGKILL, as a crash: its clients see their sockets close. Returns when the process is gone. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            throw new AssertionError("nats-server " + name + " survived SIGKILL for 10 s");
        }
    }

    /** SIGTERM, then SIGKILL if it has not stopped within 10 s; deletes a temporary store. Idempotent. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            kill();
        }
        if (ownsStore && Files.exists(storeDir)) {
            try (java.util.stream.Stream<Path> files = Files.walk(storeDir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // a temporary directory: the system cleans it up
            }
        }
    }

    /** A port that was free a moment ago (the usual small race with other processes applies). */
    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** The nats-server executable, from PATH or the sbin directories Debian installs it to. */
    static Path binary() {
        Set<String> dirs = new LinkedHashSet<>();
        String path = System.getenv("PATH");
        if (path != null) {
            dirs.addAll(List.of(path.split(java.io.File.pathSeparator)));
        }
        dirs.addAll(List.of("/usr/sbin", "/usr/local/sbin", "/usr/bin", "/usr/local/bin"));
        for (String d : dirs) {
            Path p = Path.of(d.isEmpty() ? "." : d, "nats-server");
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        throw new AssertionError("nats-server is not installed: the NATS tests need it. Install it with "
                + "\"apt-get install nats-server\" (Debian/Ubuntu) or put it on the PATH; .ci/run installs it.");
    }
}
