package io.channelpush.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The launcher's fatal-error sink and default uncaught-exception handler, with the halt recorded instead of done. */
class ProcessHaltTest {
    private final LinkedBlockingQueue<Integer> halts = new LinkedBlockingQueue<>();
    private final ProcessHalt halt = new ProcessHalt(halts::add);

    private void dieOn(String threadName, Throwable error) throws InterruptedException {
        Thread t = new Thread(() -> {
            if (error instanceof Error e) {
                throw e;
            }
            throw (RuntimeException) error;
        }, threadName);
        t.setUncaughtExceptionHandler(halt);
        t.start();
        t.join(10_000);
    }

    @Test
    void anErrorInAnyThreadHaltsWithTheFatalStatus() throws Exception {
        dieOn("some-library-thread", new OutOfMemoryError("simulated"));
        assertEquals(ProcessHalt.EXIT_CODE, halts.poll(10, TimeUnit.SECONDS));
    }

    @Test
    void anExceptionKillingAnXnioIoThreadHaltsButOneInAnotherThreadIsOnlyLogged() throws Exception {
        dieOn("some-library-thread", new IllegalStateException("not fatal"));
        assertNull(halts.poll(), "a RuntimeException in a thread the node does not depend on");
        dieOn("channel-push I/O-1", new IllegalStateException("an I/O thread died"));
        assertEquals(ProcessHalt.EXIT_CODE, halts.poll(10, TimeUnit.SECONDS));
    }

    @Test
    void anOutOfMemoryErrorThatALibraryCaughtAndLoggedHalts() {
        java.util.logging.Logger logger = java.util.logging.Logger.getLogger("test.xnio.listener");
        java.util.logging.Handler watcher = halt.logWatcher();
        logger.addHandler(watcher);
        logger.setUseParentHandlers(false);
        try {
            logger.log(java.util.logging.Level.SEVERE, "A channel event listener threw an exception",
                    new IllegalStateException("not fatal"));
            assertNull(halts.poll(), "a logged RuntimeException");
            logger.log(java.util.logging.Level.SEVERE, "A channel event listener threw an exception",
                    new RuntimeException("wrapped", new OutOfMemoryError("Java heap space")));
            assertEquals(ProcessHalt.EXIT_CODE, halts.poll());
        } finally {
            logger.removeHandler(watcher);
        }
    }

    @Test
    void theNodesFatalErrorsHalt() {
        halt.fatal("w1", "thread channel-push-pinger-w1 died", new OutOfMemoryError("simulated"));
        assertEquals(List.of(ProcessHalt.EXIT_CODE), List.copyOf(halts));
    }

    @Test
    void theStartUpWarnsWhenTheJvmWouldNotExitOnOutOfMemory() {
        String warning = ProcessHalt.missingOomExitWarning(List.of("-Xmx512m"));
        assertTrue(warning != null && warning.contains("-XX:+ExitOnOutOfMemoryError"), warning);
        assertNull(ProcessHalt.missingOomExitWarning(List.of("-Xmx512m", "-XX:+ExitOnOutOfMemoryError")));
        assertNull(ProcessHalt.missingOomExitWarning(List.of("-XX:+CrashOnOutOfMemoryError")));
    }
}
