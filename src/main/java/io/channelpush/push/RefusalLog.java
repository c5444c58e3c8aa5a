package io.channelpush.push;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One log line per second at most for a refusal a client can provoke at will (a full node, an oversized
 * message): the first refusal of each second is logged with the count of those since the last line. Thread-safe.
 */
final class RefusalLog {
    private static final long INTERVAL_NANOS = 1_000_000_000L;

    private final Logger log;
    private final Level level;
    private final AtomicLong unlogged = new AtomicLong();
    private final AtomicLong nextLine = new AtomicLong(System.nanoTime());

    RefusalLog(Logger log, Level level) {
        this.log = log;
        this.level = level;
    }

    /** Counts one refusal; logs {@code line.apply(count)} when the last line is a second old. */
    void refused(LongFunction<String> line) {
        unlogged.incrementAndGet();
        long now = System.nanoTime();
        long next = nextLine.get();
        if (now - next >= 0 && nextLine.compareAndSet(next, now + INTERVAL_NANOS) && log.isLoggable(level)) {
            log.log(level, line.apply(unlogged.getAndSet(0)));
        }
    }
}
