package io.channelpush.launcher;

import io.channelpush.push.FatalErrors;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.function.IntConsumer;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The launcher's answer to a fatal error: one SEVERE line, then {@link Runtime#halt} with {@link #EXIT_CODE}, so
 * that a supervisor (systemd, Kubernetes, a shell loop) restarts the process instead of it holding its ports
 * without serving. Halt, not exit: shutdown hooks could wait on the very threads that are dead or out of memory.
 * It is the node's {@link FatalErrors} sink and, installed by {@code main}, the JVM's default uncaught-exception
 * handler: any {@link Error} in any thread halts, and so does the death of an XNIO I/O thread (the listeners
 * stop accepting when one dies); other threads' exceptions are logged. Libraries catch errors too: XNIO logs an
 * {@link OutOfMemoryError} thrown in a channel listener ({@code XNIO001007}) and goes on, which left a node
 * holding its ports while the heap stayed full; so {@link #logWatcher()}, on the root logger, halts on any log
 * record carrying a {@link VirtualMachineError}. Thread-safe.
 */
final class ProcessHalt implements FatalErrors, Thread.UncaughtExceptionHandler {
    /** The process's exit status after a fatal error (EX_SOFTWARE); -XX:+ExitOnOutOfMemoryError exits with 3. */
    static final int EXIT_CODE = 70;

    private static final Logger LOG = Logger.getLogger(ProcessHalt.class.getName());
    /** XNIO names its I/O threads "WORKER_NAME I/O-n"; the launcher's worker is "channel-push". */
    private static final String IO_THREAD_PREFIX = "channel-push I/O-";

    private final IntConsumer halt;

    /** @param halt {@code Runtime.getRuntime()::halt} */
    ProcessHalt(IntConsumer halt) {
        this.halt = halt;
    }

    @Override
    public void fatal(String workerId, String what, Throwable error) {
        halt("Channel Push worker " + workerId + ": " + what, error);
    }

    @Override
    public void uncaughtException(Thread t, Throwable e) {
        if (e instanceof Error || t.getName().startsWith(IO_THREAD_PREFIX)) {
            halt("thread " + t.getName() + " died", e);
        } else {
            LOG.warning(() -> "thread " + t.getName() + " ended with " + e);
        }
    }

    /** A log handler that halts when a record carries a {@link VirtualMachineError} (in its cause chain too). */
    Handler logWatcher() {
        return new Handler() {
            @Override
            public void publish(LogRecord r) {
                for (Throwable t = r.getThrown(); t != null; t = t.getCause() == t ? null : t.getCause()) {
                    if (t instanceof VirtualMachineError) {
                        halt("logged by " + r.getLoggerName() + " (caught, not handled)", t);
                        return;
                    }
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
    }

    private void halt(String what, Throwable error) {
        // The message is built before the error may have left memory to build it; a failed log must not stop the halt.
        try {
            LOG.severe(what + ": " + error + "; exiting with status " + EXIT_CODE + " so that a supervisor restarts "
                    + "this process");
        } finally {
            halt.accept(EXIT_CODE);
        }
    }

    /**
     * The start-up warning when the JVM would not end itself on {@link OutOfMemoryError}, or null when it would.
     *
     * @param jvmArguments the JVM's input arguments ({@link java.lang.management.RuntimeMXBean#getInputArguments})
     */
    static String missingOomExitWarning(List<String> jvmArguments) {
        if (jvmArguments.contains("-XX:+ExitOnOutOfMemoryError") || jvmArguments.contains("-XX:+CrashOnOutOfMemoryError")) {
            return null;
        }
        return "the JVM runs without -XX:+ExitOnOutOfMemoryError: after an OutOfMemoryError this process may keep "
                + "its ports without serving. Start it with java -XX:+ExitOnOutOfMemoryError -jar ... (see README, "
                + "\"Fatal errors\")";
    }

    /** {@link #missingOomExitWarning(List)} of this JVM. */
    static String missingOomExitWarning() {
        return missingOomExitWarning(ManagementFactory.getRuntimeMXBean().getInputArguments());
    }
}
