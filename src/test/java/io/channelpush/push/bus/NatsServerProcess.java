package io.channelpush.push.bus;

import io.channelpush.processes.ChildProcess;
import io.channelpush.processes.NatsServerCommand;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A real {@code nats-server} process on 127.0.0.1 with JetStream (as the bus needs; in a temporary store unless
 * one is given, which survives {@link #kill()} and is reused by {@link #startAgain()}), started and ready (its log
 * said "Server is ready") when {@link #start} returns. {@link #close()} stops it with SIGTERM, {@link #kill()} with
 * SIGKILL, as a crash would; {@link #startAgain()} starts a new process with the same name and ports. Started by
 * {@link NatsServerCommand} as a {@link ChildProcess}, as the failsafe tests' servers are. Tests fail, not skip, when
 * {@code nats-server} is not installed: CI installs it. Not thread-safe; one test drives it.
 */
public final class NatsServerProcess implements AutoCloseable {
    private static final Duration READY = Duration.ofSeconds(10);

    public final String name;
    public final int port;
    /** Port of the cluster listener, or 0 for a server outside any cluster. */
    public final int clusterPort;
    private final int[] routePorts;
    /** JetStream's store directory, or null for a server without JetStream. */
    private final Path storeDir;
    /** Whether {@link #close()} deletes {@link #storeDir} (a temporary one this class made). */
    private final boolean ownsStore;
    private final ChildProcess process;

    private NatsServerProcess(String name, int port, int clusterPort, int[] routePorts, Path config, Path storeDir,
                              boolean ownsStore) throws IOException {
        this.ownsStore = ownsStore;
        this.name = name;
        this.port = port;
        this.clusterPort = clusterPort;
        this.routePorts = routePorts.clone();
        this.storeDir = storeDir;
        NatsServerCommand cmd = NatsServerCommand.of(name, port);
        if (storeDir != null) {
            cmd.jetStream(storeDir);
        }
        if (config != null) {
            cmd.config(config);
        }
        if (clusterPort > 0) {
            cmd.cluster("channelpush-test", clusterPort, routePorts);
        }
        process = cmd.start(null);
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
            process.pause();
        } else {
            process.resume();
        }
    }

    /** {@code nats://127.0.0.1:port}. */
    public String url() {
        return "nats://127.0.0.1:" + port;
    }

    public String output() {
        return process.tail(Integer.MAX_VALUE);
    }

    /** The last {@code n} lines of its output. */
    public String tail(int n) {
        return process.tail(n);
    }

    private void awaitReady() throws Exception {
        try {
            process.awaitLine("Server is ready", READY);
        } catch (AssertionError e) {
            close();
            throw new AssertionError("nats-server " + name + " did not become ready within " + READY.toSeconds()
                    + " s; its output:\n" + output(), e);
        }
    }

    /** SIGKILL, as a crash: its clients see their sockets close. Returns when the process is gone. */
    public void kill() throws InterruptedException {
        process.kill();
    }

    /** SIGTERM, then SIGKILL if it has not stopped within 10 s; deletes a temporary store. Idempotent. */
    @Override
    public void close() throws InterruptedException {
        process.terminate(Duration.ofSeconds(10));
        process.close();
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
        return ChildProcess.freePort();
    }
}
