package io.channelpush.processes;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The one way the tests start a {@code nats-server}: its command line (on 127.0.0.1, with a name and a client port;
 * optionally JetStream with a store folder, a configuration file, a monitoring port, a cluster with its routes), run
 * as a {@link ChildProcess}. {@link JetStreamCluster} and {@code push.bus.NatsServerProcess} build their servers with
 * it. Fails (does not skip) when {@code nats-server} is not installed. Not thread-safe: build, then {@link #start}.
 */
public final class NatsServerCommand {
    private final String name;
    private final List<String> args = new ArrayList<>();

    private NatsServerCommand(String name, int port) {
        this.name = name;
        args.addAll(List.of(binary().toString(), "-a", "127.0.0.1", "-p", String.valueOf(port), "-n", name));
    }

    /** A server named {@code name} taking clients on 127.0.0.1:{@code port}. */
    public static NatsServerCommand of(String name, int port) {
        return new NatsServerCommand(name, port);
    }

    /** With JetStream, storing in {@code storeDir}. */
    public NatsServerCommand jetStream(Path storeDir) {
        args.addAll(List.of("-js", "-sd", storeDir.toString()));
        return this;
    }

    /** Also reading {@code file} (nats-server's configuration format). */
    public NatsServerCommand config(Path file) {
        args.addAll(List.of("-c", file.toString()));
        return this;
    }

    /** With its HTTP monitoring ({@code /healthz}, ...) on 127.0.0.1:{@code port}. */
    public NatsServerCommand monitor(int port) {
        args.addAll(List.of("-m", String.valueOf(port)));
        return this;
    }

    /**
     * In the cluster {@code clusterName}, listening for routes on {@code clusterPort} and dialling {@code routePorts}
     * (none: a route to itself, which the server ignores, as a JetStream cluster server needs one).
     */
    public NatsServerCommand cluster(String clusterName, int clusterPort, int... routePorts) {
        List<String> routes = new ArrayList<>();
        for (int r : routePorts) {
            routes.add("nats://127.0.0.1:" + r);
        }
        if (routes.isEmpty()) {
            routes.add("nats://127.0.0.1:" + clusterPort);
        }
        args.addAll(List.of("--cluster_name", clusterName, "--cluster", "nats://127.0.0.1:" + clusterPort,
                "--routes", String.join(",", routes)));
        return this;
    }

    /** Starts the server; its output is kept, and also written to {@code log} unless null. */
    public ChildProcess start(Path log) throws IOException {
        return ChildProcess.start(name, args, log);
    }

    /** The nats-server executable, from PATH or the sbin folders Debian installs it to. */
    public static Path binary() {
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
