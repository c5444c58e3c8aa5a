package io.channelpush.processes;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code channel-push-launcher.jar} (one push node) as a child process on free loopback ports, on a bus given by its
 * arguments ({@code --channel host:port} or {@code --nats url,...}), returned once it serves. Not thread-safe: one
 * test drives it.
 */
public final class LauncherProcess implements AutoCloseable {
    private static final Duration START_LIMIT = Duration.ofSeconds(60);
    private static final Duration BUS_LIMIT = Duration.ofSeconds(20);

    public final String workerId;
    public final int wsPort;
    public final int httpPort;
    private ChildProcess process;

    private LauncherProcess(String workerId, int wsPort, int httpPort, ChildProcess process) {
        this.workerId = workerId;
        this.wsPort = wsPort;
        this.httpPort = httpPort;
        this.process = process;
    }

    /**
     * Starts a node with {@code --worker-id workerId --no-demo}, the bus arguments and {@code extraArgs}, heap
     * {@code -Xmx384m}; waits until it logs that it serves and that its bus is connected (at most 20 s after).
     * Its output goes to {@code log} as well (may be null).
     */
    public static LauncherProcess start(String workerId, List<String> busArgs, Path log, String... extraArgs)
            throws Exception {
        for (int attempt = 1; ; attempt++) {
            try {
                return startOnce(workerId, busArgs, log, extraArgs);
            } catch (AssertionError e) {
                // The free ports were picked seconds before the node binds them (it connects to its bus first):
                // another process (an outgoing connection's ephemeral port) may take one meanwhile.
                if (attempt == 3 || !String.valueOf(e.getMessage()).contains("Address already in use")) {
                    throw e;
                }
            }
        }
    }

    private static LauncherProcess startOnce(String workerId, List<String> busArgs, Path log, String... extraArgs)
            throws Exception {
        int ws = ChildProcess.freePort();
        int http = ChildProcess.freePort();
        List<String> args = new ArrayList<>(List.of("--ws-port", String.valueOf(ws), "--http-port",
                String.valueOf(http), "--worker-id", workerId, "--no-demo"));
        args.addAll(busArgs);
        args.addAll(List.of(extraArgs));
        ChildProcess p = ChildProcess.java("node-" + workerId, List.of("-Xmx384m", "-XX:+ExitOnOutOfMemoryError"),
                "channel-push-launcher.jar", args, log);
        LauncherProcess l = new LauncherProcess(workerId, ws, http, p);
        try {
            p.awaitLine("serving ws://", START_LIMIT);
            // it may serve before its bus is connected: a test of delivery starts once it is
            p.awaitLine(": bus connected", BUS_LIMIT);
        } catch (AssertionError e) {
            p.close();
            throw e;
        }
        return l;
    }

    /** {@code ws://127.0.0.1:port/} plus {@code query} (e.g. {@code "?format=json"}, or empty). */
    public URI ws(String query) {
        return URI.create("ws://127.0.0.1:" + wsPort + "/" + query);
    }

    /** {@code http://127.0.0.1:port/}. */
    public String publisher() {
        return "http://127.0.0.1:" + httpPort + "/";
    }

    public ChildProcess process() {
        return process;
    }

    /** {@code kill -9}, then the same command on the same ports; returns once it serves again. */
    public void killAndRestart() throws Exception {
        process.kill();
        process = process.restart();
        process.awaitLine("serving ws://", START_LIMIT);
    }

    @Override
    public void close() throws InterruptedException {
        process.close();
    }
}
