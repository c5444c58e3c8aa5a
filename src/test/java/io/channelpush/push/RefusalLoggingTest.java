package io.channelpush.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.channelpush.launcher.Launcher;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Log lines an anonymous client can provoke at will are written at most once a second per kind, each counting the
 * events it stands for: refused publishes (no signature) and handshakes from a foreign origin, sent on raw
 * sockets, write a few lines with a count, not one per request.
 */
class RefusalLoggingTest {
    private static PushFixture fx;
    private static Launcher node;
    /** Every record of the node's loggers (all under io.channelpush), whatever class logs it. */
    private static LogCapture log;

    @BeforeAll
    static void start() throws Exception {
        fx = new PushFixture();
        node = fx.node("refusal-log", "--set", "channelpush.publish-keys=k1:secret-one-0123456789abcdefghijklmnopq",
                "--set", PushConfig.ALLOWED_ORIGINS + "=https://good.example");
        // the tests' logging.properties shows WARNING and worse; some refusals are INFO
        log = new LogCapture("io.channelpush", Level.INFO);
    }

    @AfterAll
    static void stop() throws Exception {
        log.close();
        fx.close();
    }

    interface Refusal {
        void provoke() throws Exception;
    }

    /**
     * Provokes refusals until a line carries a count of suppressed ones (at least a second) or 30 s pass; then at
     * most one line per second (plus the first) may have been written.
     */
    private static void refusalsAreRateLimited(Refusal refusal, Predicate<String> ofThisKind) throws Exception {
        long start = System.nanoTime();
        long deadline = start + TimeUnit.SECONDS.toNanos(30);
        int n = 0;
        while (log.messages(Level.INFO).stream().filter(ofThisKind).noneMatch(l -> l.contains("more like this"))
                && System.nanoTime() < deadline) {
            refusal.provoke();
            n++;
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        List<String> mine = log.messages(Level.INFO).stream().filter(ofThisKind).toList();
        assertTrue(mine.stream().anyMatch(l -> l.matches(".*\\(and \\d+ more like this since the previous such line\\)")),
                n + " refusals in " + seconds + " s; a line should count the suppressed ones: " + mine);
        assertTrue(n > mine.size() * 5, n + " refusals wrote " + mine.size() + " lines: " + mine);
        assertTrue(mine.size() <= 2 + seconds, mine.size() + " lines for " + n + " refusals in " + seconds + " s");
    }

    @Test
    void unsignedPublishesAreRefusedWithOneLogLinePerSecondAtMost() throws Exception {
        refusalsAreRateLimited(() -> assertEquals(401, RawHttp.send(node.port(1), "GET", "/?content=x", "").status()),
                l -> l.startsWith("publish from "));
    }

    @Test
    void handshakesFromAForeignOriginAreRefusedWithOneLogLinePerSecondAtMost() throws Exception {
        refusalsAreRateLimited(() -> {
            try (Socket s = RawHttp.connect(node.port(0))) {
                String head = RawHttp.send(s, RawHttp.handshake(node.port(0), "Origin: https://evil.example\r\n"));
                assertEquals(403, RawHttp.status(head), head);
            }
        }, l -> l.contains("evil.example"));
    }
}
