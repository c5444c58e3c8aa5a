package io.channelpush.channel.log;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One kind of log event that a remote party can trigger at will (a refused request, a protocol error, a failed
 * accept, an error answer from the daemon): written at most once per second, each line counting the events
 * suppressed since the previous one. Events suppressed at the end of a burst are counted in the next line written.
 * The owner of the event (a node, a daemon's loop, a client) holds one instance per kind. Thread-safe and
 * lock-free: concurrent callers race for the line, the losers are counted.
 */
public final class RateLimitedLog {
    /** The shortest time between two lines. */
    public static final long INTERVAL_NANOS = 1_000_000_000L;

    private final Logger logger;
    private final Level level;
    private final LongSupplier clock;
    /** The earliest time the next line may be written. */
    private final AtomicLong nextLine;
    private final AtomicLong suppressed = new AtomicLong();

    public RateLimitedLog(Logger logger, Level level) {
        this(logger, level, System::nanoTime);
    }

    /** @param clock nanoseconds, as {@link System#nanoTime()} (tests supply their own) */
    public RateLimitedLog(Logger logger, Level level, LongSupplier clock) {
        this.logger = logger;
        this.level = level;
        this.clock = clock;
        this.nextLine = new AtomicLong(clock.getAsLong());
    }

    /** Logs the message unless a line of this kind was written less than a second ago; then it is only counted. */
    public void log(Supplier<String> message) {
        if (!logger.isLoggable(level)) {
            return;
        }
        long now = clock.getAsLong();
        long next = nextLine.get();
        if (now - next < 0 || !nextLine.compareAndSet(next, now + INTERVAL_NANOS)) {
            suppressed.incrementAndGet();
            return;
        }
        long n = suppressed.getAndSet(0);
        logger.log(level, n == 0 ? message.get() : message.get() + " (and " + n + " more like this since the "
                + "previous such line)");
    }
}
