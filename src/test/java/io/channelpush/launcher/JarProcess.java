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

/** A built jar run as a separate {@code java -jar} process, its output collected line by line. */
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
        Path p = Path.of(System.getProperty("channelpush.build.dir", "target"), name);
        if (!Files.isRegularFile(p)) {
            throw new AssertionError(p + " is missing: run mvn package first");
        }
        return p;
    }

    static JarProcess start(String jarName, String... args) throws IOException {
        return startWithJvmOptions(List.of("-Xmx256m"), jarName, args);
    }

    /** Runs the jar with the given JVM options instead of the default {@code -Xmx256m}. */
    static JarProcess startWithJvmOptions(List<String> jvmOptions, String jarName, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-jar", jar(jarName).toString()));
        cmd.addAll(List.of(args));
        return new JarProcess(new ProcessBuilder(cmd).redirectErrorStream(true).start());
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
