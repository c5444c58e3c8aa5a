package io.channelpush.channel.daemon;

import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One kind of log event that a client can trigger at will (a refused enqueue, a protocol error, a failed accept):
 * written at most once per second, each line counting the events suppressed since the previous one. Events
 * suppressed at the end of a burst are counted in the next line written. Confined to one thread (the event loop);
 * not thread-safe.
 */
final class RateLimitedLog {
    static final long INTERVAL_NANOS = 1_000_000_000L;

    private final Logger logger;
    private final Level level;
    private final LongSupplier clock;
    private long lastLogged;
    private boolean loggedOnce;
    private long suppressed;

    RateLimitedLog(Logger logger, Level level) {
        this(logger, level, System::nanoTime);
    }

    RateLimitedLog(Logger logger, Level level, LongSupplier clock) {
        this.logger = logger;
        this.level = level;
        this.clock = clock;
    }

    /** Logs the message unless a line of this kind was written less than a second ago. */
    void log(Supplier<String> message) {
        if (!logger.isLoggable(level)) {
            return;
        }
        long now = clock.getAsLong();
        if (loggedOnce && now - lastLogged < INTERVAL_NANOS) {
            suppressed++;
            return;
        }
        long n = suppressed;
        suppressed = 0;
        lastLogged = now;
        loggedOnce = true;
        logger.log(level, n == 0 ? message.get() : message.get() + " (and " + n + " more like this since the "
                + "previous such line)");
    }
}
