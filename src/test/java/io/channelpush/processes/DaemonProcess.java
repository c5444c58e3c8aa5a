package io.channelpush.processes;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code channel-daemon.jar} as a child process on a fixed loopback port with its own data folder, so that
 * {@link #killAndRestart()} brings it back where its clients look for it, on the history it wrote. Not thread-safe:
 * one test drives it.
 */
public final class DaemonProcess implements AutoCloseable {
    private static final Duration START_LIMIT = Duration.ofSeconds(30);

    public final int port;
    public final Path dataDir;
    private ChildProcess process;

    private DaemonProcess(int port, Path dataDir, ChildProcess process) {
        this.port = port;
        this.dataDir = dataDir;
        this.process = process;
    }

    /**
     * Starts the daemon on a free port with {@code --data-dir dataDir} and {@code extraArgs}, and waits until it
     * listens. Its output goes to {@code dataDir}/../daemon.log as well.
     */
    public static DaemonProcess start(Path dataDir, String... extraArgs) throws Exception {
        int port = ChildProcess.freePort();
        List<String> args = new ArrayList<>(List.of("--port", String.valueOf(port), "--data-dir", dataDir.toString()));
        args.addAll(List.of(extraArgs));
        ChildProcess p = ChildProcess.java("daemon", List.of("-Xmx512m", "-XX:+ExitOnOutOfMemoryError"),
                "channel-daemon.jar", args, dataDir.resolveSibling(dataDir.getFileName() + ".log"));
        DaemonProcess d = new DaemonProcess(port, dataDir, p);
        d.awaitListening();
        return d;
    }

    private void awaitListening() throws InterruptedException {
        process.awaitLine("listening on 127.0.0.1:" + port, START_LIMIT);
    }

    /** {@code host:port} for {@code --channel}. */
    public String address() {
        return "127.0.0.1:" + port;
    }

    public ChildProcess process() {
        return process;
    }

    /** {@code kill -9}, then the same command on the same port and data folder; returns once it listens again. */
    public void killAndRestart() throws Exception {
        process.kill();
        process = process.restart();
        awaitListening();
    }

    @Override
    public void close() throws InterruptedException {
        process.close();
    }
}
