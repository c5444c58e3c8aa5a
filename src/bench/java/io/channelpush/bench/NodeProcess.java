package io.channelpush.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One launcher jar as a child process on free loopback ports with its in-process daemon, its output kept, its
 * peak resident memory (VmHWM of /proc/PID/status) sampled every 200 ms while it lives (the last sample survives
 * the process). {@link #close()} sends SIGTERM, then SIGKILL after 10 s. Thread-safe.
 */
final class NodeProcess implements AutoCloseable {
    final int wsPort;
    final int httpPort;
    private final Process process;
    private final List<String> output = new CopyOnWriteArrayList<>();
    private final CompletableFuture<Void> serving = new CompletableFuture<>();
    private final AtomicLong peakKb = new AtomicLong();
    private final AtomicLong exitedNanos = new AtomicLong();
    private final Thread sampler;

    private NodeProcess(Path jar, String heap, List<String> jvmOptions, List<String> args, int wsPort, int httpPort,
                        int channelPort) throws IOException {
        this.wsPort = wsPort;
        this.httpPort = httpPort;
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + heap));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-jar", jar.toString(), "--ws-port", String.valueOf(wsPort), "--http-port",
                String.valueOf(httpPort), "--channel-port", String.valueOf(channelPort), "--no-demo"));
        cmd.addAll(args);
        process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        // A node that stopped serving may ignore SIGTERM: never leave it behind, whatever ends this JVM.
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly, "node-kill"));
        process.onExit().thenRun(() -> exitedNanos.set(System.nanoTime()));
        Thread reader = new Thread(this::pump, "node-output");
        reader.setDaemon(true);
        reader.start();
        sampler = new Thread(this::sample, "node-vmhwm");
        sampler.setDaemon(true);
        sampler.start();
    }

    /** Starts the node and waits up to 60 s until it logs that it serves. */
    static NodeProcess start(Path jar, String heap, List<String> jvmOptions) throws Exception {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: run mvn -B -q package -DskipTests first");
        }
        return start(jar, heap, jvmOptions, List.of(), freePort(), freePort(), freePort());
    }

    /**
     * Starts the node on the given ports with extra launcher arguments and waits up to 60 s until it logs that it
     * serves (a restart on the ports of a node that stopped).
     */
    static NodeProcess start(Path jar, String heap, List<String> jvmOptions, List<String> args, int wsPort,
                             int httpPort, int channelPort) throws Exception {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: run mvn -B -q package -DskipTests first");
        }
        NodeProcess n = new NodeProcess(jar, heap, jvmOptions, args, wsPort, httpPort, channelPort);
        try {
            n.serving.get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            n.close();
            throw new IllegalStateException("the node did not start within 60 s:\n" + n.output(), e);
        }
        return n;
    }

    private void pump() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (output.size() < 10_000) {
                    output.add(line);
                }
                if (line.contains("serving ws://")) {
                    serving.complete(null);
                }
            }
        } catch (IOException e) {
            // the process ended
        }
        serving.completeExceptionally(new IllegalStateException("the node exited"));
    }

    private void sample() {
        Path status = Path.of("/proc", String.valueOf(process.pid()), "status");
        while (process.isAlive()) {
            try {
                for (String line : Files.readAllLines(status)) {
                    if (line.startsWith("VmHWM:")) {
                        peakKb.accumulateAndGet(Long.parseLong(line.replaceAll("\\D", "")), Math::max);
                    }
                }
            } catch (IOException | RuntimeException e) {
                return; // the process is gone
            }
            try {
                process.waitFor(200, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    long pid() {
        return process.pid();
    }

    /** SIGKILL, waiting up to 10 s for the process to end. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    boolean alive() {
        return process.isAlive();
    }

    /** What {@code GET /health/live} answers within 5 s: "200", "503", or why there was no answer. */
    String liveness() {
        try {
            java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newBuilder()
                    .connectTimeout(java.time.Duration.ofSeconds(5)).build()
                    .send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + httpPort
                            + "/health/live")).timeout(java.time.Duration.ofSeconds(5)).build(),
                            java.net.http.HttpResponse.BodyHandlers.ofString());
            return String.valueOf(r.statusCode());
        } catch (java.io.IOException e) {
            return "no answer within 5 s (" + e.getClass().getSimpleName() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /** {@link System#nanoTime()} when the process was seen to exit, or 0 while it runs. */
    long exitedNanos() {
        return exitedNanos.get();
    }

    /** The exit status, or null while it runs. */
    Integer exitCode() {
        return process.isAlive() ? null : process.exitValue();
    }

    /** Peak resident memory seen, in kB. */
    long peakResidentKb() {
        return peakKb.get();
    }

    /** Lines of its output containing {@code text}; a stack-trace line with the line before it (its record's header). */
    List<String> linesWith(String text) {
        List<String> found = new ArrayList<>();
        for (int i = 0; i < output.size(); i++) {
            if (output.get(i).contains(text)) {
                String line = output.get(i);
                boolean record = !line.isEmpty() && Character.isDigit(line.charAt(0)); // starts with its timestamp
                found.add(record || i == 0 ? line : output.get(i - 1) + " | " + line);
            }
        }
        return found;
    }

    String output() {
        return String.join("\n", output);
    }

    /** SIGTERM, then SIGKILL after 10 s. @return whether SIGTERM alone stopped it */
    boolean stop() throws InterruptedException {
        process.destroy();
        boolean stopped = process.waitFor(10, TimeUnit.SECONDS);
        close();
        return stopped;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        sampler.join(1_000);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
