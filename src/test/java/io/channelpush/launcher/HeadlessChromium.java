package io.channelpush.launcher;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * Headless Chromium as a child process with a fresh profile and the DevTools protocol on a free port.
 * {@link #close()} kills it with all its helper processes and deletes the profile. Not thread-safe.
 */
final class HeadlessChromium implements AutoCloseable {
    private static final int KEPT_OUTPUT_LINES = 100;

    private final Process process;
    private final Path profile;
    private final ConcurrentLinkedDeque<String> output = new ConcurrentLinkedDeque<>();

    private HeadlessChromium(Process process, Path profile) {
        this.process = process;
        this.profile = profile;
        Thread pump = new Thread(this::pump, "chromium-output");
        pump.setDaemon(true);
        pump.start();
    }

    /**
     * The browser binary: {@code /usr/bin/chromium}, or the system property {@code test.channelpush.chromium}.
     *
     * @throws AssertionError telling how to install it when it is missing: the browser test fails rather than skip
     */
    static Path binary() {
        Path p = Path.of(System.getProperty("test.channelpush.chromium", "/usr/bin/chromium"));
        if (!Files.isExecutable(p)) {
            throw new AssertionError(p + " is missing: the demo page's browser test needs Chromium; "
                    + "run apt-get install -y chromium (or set -Dtest.channelpush.chromium=/path/to/chromium)");
        }
        return p;
    }

    static HeadlessChromium start() throws IOException {
        Path binary = binary();
        Path profile = Files.createTempDirectory("channelpush-chromium-");
        List<String> cmd = new ArrayList<>(List.of(binary.toString(),
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
                "--hide-scrollbars", "--mute-audio",
                "--user-data-dir=" + profile, "--remote-debugging-port=0", "about:blank"));
        return new HeadlessChromium(new ProcessBuilder(cmd).redirectErrorStream(true).start(), profile);
    }

    /** The browser-wide DevTools WebSocket, read from the profile's {@code DevToolsActivePort}; waits up to 30 s. */
    URI devToolsUri() throws IOException {
        Path file = profile.resolve("DevToolsActivePort");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            // Chromium writes the file once it listens: the port, then the browser target's path.
            List<String> lines = Files.exists(file) ? Files.readAllLines(file) : List.of();
            if (lines.size() >= 2) {
                return URI.create("ws://127.0.0.1:" + lines.get(0).strip() + lines.get(1).strip());
            }
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("Chromium did not open its DevTools port (exited: " + !process.isAlive()
                        + "); its output:\n" + output());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }

    /** The last lines Chromium printed, for failure messages. */
    String output() {
        return String.join("\n", output);
    }

    private void pump() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                output.addLast(line);
                if (output.size() > KEPT_OUTPUT_LINES) {
                    output.pollFirst();
                }
            }
        } catch (IOException e) {
            // the process ended
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            throw new AssertionError("Chromium did not exit within 10 s of SIGKILL");
        }
        // Helpers may still be going away; the profile is best-effort cleanup.
        try (Stream<Path> files = Files.walk(profile)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // left in the temp directory
        }
    }
}
