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

    /**
     * The nats-server executable, from PATH or the sbin folders Debian installs it to; it must be 2.10 or newer
     * ({@link #OLDEST_MAJOR}.{@link #OLDEST_MINOR}: 2.9's JetStream clusters can keep a replica diverged after a
     * stall, and a consumer that JetStream places on it hands out other messages than the acknowledged ones at the
     * same sequences, so the delivery tests would test that bug). {@code bin/verify} puts Debian 13's on the PATH
     * when the system's is older.
     */
    public static Path binary() {
        if (Found.PROBLEM != null) {
            throw new AssertionError(Found.PROBLEM);
        }
        return Found.BINARY;
    }

    /** The oldest nats-server version the tests accept: {@value #OLDEST_MAJOR}.{@value #OLDEST_MINOR}. */
    static final int OLDEST_MAJOR = 2;
    static final int OLDEST_MINOR = 10;

    /** Looked for once. */
    private static final class Found {
        static final Path BINARY;
        static final String PROBLEM;

        static {
            Path found = find();
            String version = found == null ? null : version(found);
            BINARY = found;
            if (found == null) {
                PROBLEM = "nats-server is not installed: the NATS tests need version " + OLDEST_MAJOR + "."
                        + OLDEST_MINOR + " or newer. bin/verify installs it (Debian's package, or Debian 13's when"
                        + " the system's is older), or put one on the PATH.";
            } else if (!recent(version)) {
                PROBLEM = found + " is nats-server " + version + ": the NATS tests need " + OLDEST_MAJOR + "."
                        + OLDEST_MINOR + " or newer (2.9's JetStream clusters can keep a replica diverged after a"
                        + " stall). Run the tests through bin/verify, which fetches Debian 13's into target/tools,"
                        + " or put target/tools (or another recent nats-server) first on the PATH.";
            } else {
                PROBLEM = null;
            }
        }

        private static Path find() {
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
            return null;
        }

        /** What {@code nats-server --version} prints after its "v" ("2.10.27"), or what went wrong. */
        private static String version(Path binary) {
            try {
                Process p = new ProcessBuilder(binary.toString(), "--version").redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)
                        .trim();
                if (!p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
                int v = out.lastIndexOf(" v");
                return v < 0 ? "of unknown version (" + out + ")" : out.substring(v + 2);
            } catch (IOException e) {
                return "of unknown version (" + e.getMessage() + ")";
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "of unknown version (interrupted)";
            }
        }
    }

    /** Whether {@code version} ("2.10.27") is at least {@link #OLDEST_MAJOR}.{@link #OLDEST_MINOR}. */
    static boolean recent(String version) {
        String[] parts = version.split("\\.");
        try {
            int major = Integer.parseInt(parts[0]);
            int minor = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
            return major > OLDEST_MAJOR || (major == OLDEST_MAJOR && minor >= OLDEST_MINOR);
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
