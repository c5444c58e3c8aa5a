package io.channelpush.channel;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The daemon as a child JVM under a kernel resource limit ({@code prlimit}, util-linux), on a free loopback port
 * and a fresh data folder, with its output kept line by line: for tests of what the daemon does when the kernel
 * says no (descriptors, file size). {@link #start} returns once it listens. Thread-safe; {@link #close} stops it.
 */
final class LimitedDaemon implements AutoCloseable {
    private static final Path PRLIMIT = Path.of("/usr/bin/prlimit");

    final int port;
    final Process process;
    /** Every line it printed so far. */
    final List<String> output = new CopyOnWriteArrayList<>();
    private final Thread pump;

    private LimitedDaemon(int port, Process process) {
        this.port = port;
        this.process = process;
        this.pump = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    output.add(line);
                }
            } catch (java.io.IOException e) {
                // the process ended
            }
        }, "limited-daemon-output");
        pump.setDaemon(true);
        pump.start();
    }

    /**
     * Starts {@code DaemonMain} under {@code prlimit <limit>} (e.g. {@code --fsize=200000}) and waits, at most 60 s,
     * for its start-up line.
     */
    static LimitedDaemon start(String limit) throws Exception {
        assertTrue(Files.isExecutable(PRLIMIT), "this test needs prlimit (util-linux) at " + PRLIMIT);
        int port = TestPorts.freePort();
        Process p = new ProcessBuilder(PRLIMIT.toString(), limit,
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m",
                "-cp", System.getProperty("java.class.path"), "io.channelpush.channel.daemon.DaemonMain",
                "--port", String.valueOf(port), "--data-dir", TestData.freshDir().toString())
                .redirectErrorStream(true).start();
        LimitedDaemon d = new LimitedDaemon(port, p);
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (d.output.stream().noneMatch(l -> l.contains("listening on 127.0.0.1:" + port))) {
                assertTrue(System.nanoTime() < deadline && p.isAlive(), "daemon did not start: " + d.output);
                LockSupport.parkNanos(50_000_000L); // waiting for the start-up line
            }
            return d;
        } catch (AssertionError | RuntimeException e) {
            d.close();
            throw e;
        }
    }

    /** SIGTERM, then SIGKILL after 15 s; waits for its output to end. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(15, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        pump.join(5_000);
    }
}
