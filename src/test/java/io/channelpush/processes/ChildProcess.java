package io.channelpush.processes;

import java.io.BufferedReader;
import io.channelpush.channel.TestPorts;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One child process (a command, or a built jar under {@code java -jar}) with its output kept line by line (the last
 * 20,000 lines), and the operator's and the crash's ways of disturbing it: {@link #pause()} ({@code SIGSTOP}),
 * {@link #resume()} ({@code SIGCONT}), {@link #kill()} ({@code SIGKILL}) and {@link #restart()} (the same command
 * again, after it is gone). Its output is written to a file too when given one, so a failing test leaves a log.
 * Thread-safe; {@link #close()} is idempotent and a shutdown hook kills the process if the test JVM ends first.
 */
public final class ChildProcess implements AutoCloseable {
    private static final int KEPT_LINES = 20_000;

    public final String name;
    private final List<String> command;
    private final Path log;
    private final Process process;
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final List<Waiter> waiters = new CopyOnWriteArrayList<>();
    private final Thread reader;
    private final Thread hook;

    private record Waiter(String text, CompletableFuture<String> found) {
    }

    private ChildProcess(String name, List<String> command, Path log) throws IOException {
        this.name = name;
        this.command = List.copyOf(command);
        this.log = log;
        ProcessBuilder b = new ProcessBuilder(command).redirectErrorStream(true);
        process = b.start();
        hook = new Thread(process::destroyForcibly, "kill-" + name);
        Runtime.getRuntime().addShutdownHook(hook);
        reader = new Thread(this::pump, name + "-output");
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts {@code command} (the first element is the program); {@code log} may be null. */
    public static ChildProcess start(String name, List<String> command, Path log) throws IOException {
        return new ChildProcess(name, command, log);
    }

    /** Starts {@code java JVM_OPTIONS -jar target/JAR ARGS} with this JVM's java. */
    public static ChildProcess java(String name, List<String> jvmOptions, String jarName, List<String> args, Path log)
            throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-jar", jar(jarName).toString()));
        cmd.addAll(args);
        return new ChildProcess(name, cmd, log);
    }

    /** A built jar in the build directory; fails when it was not built. */
    public static Path jar(String name) {
        Path p = Path.of(System.getProperty("test.channelpush.build.dir", "target"), name);
        if (!Files.isRegularFile(p)) {
            throw new AssertionError(p + " is missing: run mvn package first");
        }
        return p;
    }

    /** A loopback port that was free a moment ago, outside the ephemeral range ({@link TestPorts}). */
    public static int freePort() throws IOException {
        return TestPorts.freePort();
    }

    private void pump() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
             var out = log == null ? null : Files.newBufferedWriter(log, StandardCharsets.UTF_8,
                     java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND)) {
            for (String line; (line = r.readLine()) != null; ) {
                if (lines.size() >= KEPT_LINES) {
                    lines.remove(0);
                }
                lines.add(line);
                if (out != null) {
                    out.write(line);
                    out.newLine();
                    out.flush();
                }
                for (Waiter w : waiters) {
                    if (line.contains(w.text)) {
                        w.found.complete(line);
                    }
                }
            }
        } catch (IOException e) {
            // the process ended
        }
        for (Waiter w : waiters) {
            w.found.completeExceptionally(new IllegalStateException(name + " exited"));
        }
    }

    /** Waits for an output line containing {@code text} (already printed or to come); fails after {@code limit}. */
    public String awaitLine(String text, Duration limit) throws InterruptedException {
        Waiter w = new Waiter(text, new CompletableFuture<>());
        waiters.add(w);
        try {
            for (String l : lines) {
                if (l.contains(text)) {
                    return l;
                }
            }
            if (!reader.isAlive() && !process.isAlive()) {
                throw new AssertionError(name + " exited (" + exitText() + ") without printing \"" + text
                        + "\"; its output:\n" + tail(60));
            }
            return w.found.get(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError(name + ": no line with \"" + text + "\" within " + limit.toSeconds()
                    + " s; its output:\n" + tail(60));
        } catch (java.util.concurrent.ExecutionException e) {
            throw new AssertionError(name + " exited (" + exitText() + ") without printing \"" + text
                    + "\"; its output:\n" + tail(60));
        } finally {
            waiters.remove(w);
        }
    }

    public long pid() {
        return process.pid();
    }

    public boolean alive() {
        return process.isAlive();
    }

    /** {@code SIGSTOP}: the process freezes, its sockets stay open and unread; returns once it is stopped. */
    public void pause() throws IOException, InterruptedException {
        Signals.stop(process.pid());
    }

    /** {@code SIGCONT} after {@link #pause()}; returns once it runs again. */
    public void resume() throws IOException, InterruptedException {
        Signals.resume(process.pid());
    }

    /** {@code SIGKILL}, as a crash; returns when the process is gone. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            throw new AssertionError(name + " survived SIGKILL for 10 s");
        }
        reader.join(2_000);
    }

    /** The same command again, as a new process (kill or stop this one first); its output goes to the same log. */
    public ChildProcess restart() throws IOException {
        if (process.isAlive()) {
            throw new IllegalStateException(name + " still runs: kill it first");
        }
        return new ChildProcess(name, command, log);
    }

    /** {@code SIGTERM}, then {@code SIGKILL} after {@code limit}; returns the exit status. */
    public int terminate(Duration limit) throws InterruptedException {
        process.toHandle().destroy();
        if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
            kill();
        }
        reader.join(2_000);
        return process.exitValue();
    }

    private String exitText() {
        try {
            process.waitFor(2, TimeUnit.SECONDS); // its output ended: the exit follows
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return process.isAlive() ? "still running" : "status " + process.exitValue();
    }

    /** The last {@code n} lines of its output. */
    public String tail(int n) {
        List<String> all = new ArrayList<>(lines);
        return String.join("\n", all.subList(Math.max(0, all.size() - n), all.size()));
    }

    /** Its output lines containing {@code text}. */
    public List<String> linesWith(String text) {
        return lines.stream().filter(l -> l.contains(text)).toList();
    }

    /** Kills it (paused or not) and waits for it to go. Idempotent. */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly(); // SIGKILL ends a stopped (SIGSTOP) process too
            process.waitFor(10, TimeUnit.SECONDS);
        }
        reader.join(2_000);
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook runs anyway
        }
    }
}
