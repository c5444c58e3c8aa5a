package io.channelpush.processes;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@link Signals} on a real child JVM (many threads): it returns only once every thread is stopped, then running. */
class SignalsTest {
    @Test
    void stopReturnsOnceEveryThreadIsStoppedAndResumeOnceNoneIs() throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx32m", "-cp", System.getProperty("java.class.path"), Sleeper.class.getName())
                .redirectErrorStream(true).start();
        try {
            assertTrue(p.getInputStream().read() == 'r', "the child never said it was running");
            assertFalse(Signals.allThreads(p.pid(), true), "a running JVM has no stopped threads");
            Signals.stop(p.pid());
            assertTrue(Signals.allThreads(p.pid(), true));
            Signals.resume(p.pid());
            assertTrue(Signals.allThreads(p.pid(), false));
            assertFalse(Signals.allThreads(p.pid(), true));
        } finally {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** The child: says it runs, then waits to be killed. */
    static final class Sleeper {
        public static void main(String[] args) throws Exception {
            System.out.print('r');
            System.out.flush();
            Thread.sleep(60_000);
        }
    }
}
