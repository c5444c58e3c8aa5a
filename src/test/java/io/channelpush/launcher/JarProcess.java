package io.channelpush.launcher;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A built jar run as a separate {@code java -jar} process in a fresh working folder under {@code target/it-work} (or
 * any command, {@link #run}), its output collected line by line.
 */
final class JarProcess implements AutoCloseable {
    final Process process;
    final List<String> lines = new CopyOnWriteArrayList<>();
    private final List<CompletableFuture<String>> waiters = new CopyOnWriteArrayList<>();
    private final List<String> patterns = new CopyOnWriteArrayList<>();

    private final Thread reader;

    private JarProcess(Process p) {
        this.process = p;
        reader = new Thread(this::pump, "jar-output");
        reader.setDaemon(true);
        reader.start();
    }

    static Path jar(String name) {
        Path p = Path.of(System.getProperty("test.channelpush.build.dir", "target"), name);
        if (!Files.isRegularFile(p)) {
            throw new AssertionError(p + " is missing: run mvn package first");
        }
        return p;
    }

    static JarProcess start(String jarName, String... args) throws IOException {
        return start(List.of("-Xmx256m"), jarName, args);
    }

    /** {@code java JVM_OPTIONS -jar jarName args}. */
    static JarProcess start(List<String> jvmOptions, String jarName, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-jar", jar(jarName).toAbsolutePath().toString()));
        cmd.addAll(List.of(args));
        return run(cmd);
    }

    /**
     * Runs {@code command} (the first element is the program), its output collected like a jar's, in a folder of
     * its own under target: what it writes there (an in-process daemon's {@code channel-data}, locked while it runs)
     * is never shared with the next process or test, even while this one is still exiting.
     */
    static JarProcess run(List<String> command) throws IOException {
        Path work = Files.createTempDirectory(Files.createDirectories(
                Path.of(System.getProperty("test.channelpush.build.dir", "target"), "it-work")), "p");
        return new JarProcess(new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true).start());
    }

    private void pump() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                lines.add(line);
                for (int i = 0; i < patterns.size(); i++) {
                    if (line.contains(patterns.get(i))) {
                        waiters.get(i).complete(line);
                    }
                }
            }
        } catch (IOException e) {
            // process ended
        }
    }

    /** Waits for an output line containing {@code text}; fails after {@code seconds}. */
    String awaitLine(String text, int seconds) throws Exception {
        CompletableFuture<String> f = new CompletableFuture<>();
        waiters.add(f);
        patterns.add(text);
        for (String l : lines) {
            if (l.contains(text)) {
                f.complete(l);
            }
        }
        try {
            return f.get(seconds, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("no line with \"" + text + "\" within " + seconds + " s; output:\n"
                    + String.join("\n", lines));
        }
    }

    /** Sends SIGTERM and waits for the exit code. */
    int terminate() throws Exception {
        // Process.destroy() would also close our end of its output; the handle sends SIGTERM only.
        process.toHandle().destroy();
        if (!process.waitFor(15, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("process did not stop within 15 s of SIGTERM");
        }
        reader.join(5_000);
        return process.exitValue();
    }

    int awaitExit() throws Exception {
        if (!process.waitFor(15, TimeUnit.SECONDS)) {
            throw new AssertionError("process did not exit within 15 s");
        }
        reader.join(5_000);
        return process.exitValue();
    }

    String output() {
        return String.join("\n", lines);
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
