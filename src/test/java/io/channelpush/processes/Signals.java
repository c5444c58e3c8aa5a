package io.channelpush.processes;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code SIGSTOP} and {@code SIGCONT} to a child process, returning only once the process really is stopped (or
 * running again). {@code kill} returns when the signal is queued, not when it has taken effect: Linux starts the
 * group stop only when one of the process's threads runs and takes the signal, and until then its other threads
 * go on (on a loaded machine that was 0.6 s, in which a "stopped" node still answered a publish report). So
 * {@link #stop} waits until every thread in {@code /proc/<pid>/task} is in state {@code T}. Stateless.
 */
public final class Signals {
    private static final Duration EFFECT_LIMIT = Duration.ofSeconds(10);

    private Signals() {
    }

    /** {@code SIGSTOP}; returns once every thread of {@code pid} is stopped. */
    public static void stop(long pid) throws IOException, InterruptedException {
        send("STOP", pid);
        awaitState(pid, true);
    }

    /** {@code SIGCONT}; returns once no thread of {@code pid} is stopped any more. */
    public static void resume(long pid) throws IOException, InterruptedException {
        send("CONT", pid);
        awaitState(pid, false);
    }

    private static void send(String sig, long pid) throws IOException, InterruptedException {
        Process k = new ProcessBuilder("kill", "-" + sig, String.valueOf(pid)).redirectErrorStream(true).start();
        if (!k.waitFor(5, TimeUnit.SECONDS) || k.exitValue() != 0) {
            k.destroyForcibly();
            throw new AssertionError("kill -" + sig + " " + pid + " failed: "
                    + new String(k.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    private static void awaitState(long pid, boolean stopped) throws InterruptedException {
        long deadline = System.nanoTime() + EFFECT_LIMIT.toNanos();
        long pause = 1;
        while (!allThreads(pid, stopped)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("process " + pid + (stopped ? " not stopped" : " still stopped") + " "
                        + EFFECT_LIMIT.toSeconds() + " s after the signal");
            }
            Thread.sleep(pause); // polling /proc: there is nothing to wait on for another process's state
            pause = Math.min(pause * 2, 20);
        }
    }

    /** Whether every thread of {@code pid} is stopped ({@code stopped}) or none is; a gone process counts as both. */
    static boolean allThreads(long pid, boolean stopped) {
        Path tasks = Path.of("/proc", Long.toString(pid), "task");
        try (Stream<Path> threads = Files.list(tasks)) {
            return threads.allMatch(t -> isStopped(t.resolve("stat")) == stopped);
        } catch (NoSuchFileException e) {
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A thread that ended between the listing and the read counts as stopped; the next listing no longer has it. */
    private static boolean isStopped(Path stat) {
        String s;
        try {
            s = Files.readString(stat, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            return true;
        }
        // "tid (comm) S ...": comm may hold spaces and parentheses, the state follows the last ')'
        int close = s.lastIndexOf(')');
        char state = s.charAt(close + 2);
        return state == 'T' || state == 't';
    }
}
