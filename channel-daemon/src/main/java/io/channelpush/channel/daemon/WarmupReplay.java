package io.channelpush.channel.daemon;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * The warm-up window after a start ({@link DaemonConfig#warmup()}): publishes are also kept, up to a byte limit and
 * within the daemon's memory bound, and replayed to a connection that subscribes to their channel within the window;
 * the window's end frees them. Confined to the event-loop thread.
 */
final class WarmupReplay {
    private static final Logger LOG = Logger.getLogger(Broker.class.getName());

    private final long endsNanos;
    private final long maxBytes;
    private final MemoryBudget budget;
    private final Map<String, List<byte[]>> events = new HashMap<>();
    private long bytes;
    private boolean warming;

    WarmupReplay(Duration warmup, long maxBytes, MemoryBudget budget) {
        this.endsNanos = System.nanoTime() + warmup.toNanos();
        this.maxBytes = maxBytes;
        this.budget = budget;
        this.warming = !warmup.isZero();
    }

    /** Whether a publish at {@code now} is to be kept. */
    boolean retaining(long now) {
        return warming && now - endsNanos < 0;
    }

    /** Keeps an event frame of a channel, unless the byte limit or the memory bound would be passed. */
    void retain(String channel, byte[] frame) {
        if (bytes + frame.length > maxBytes || !budget.tryReserve(frame.length)) {
            return;
        }
        bytes += frame.length;
        events.computeIfAbsent(channel, k -> new ArrayList<>()).add(frame);
    }

    /** The kept events of a channel, oldest first; none once the window is over. */
    List<byte[]> replay(String channel) {
        return warming ? events.getOrDefault(channel, List.of()) : List.of();
    }

    /** Ends the window once it has passed, freeing what was kept; called by the loop's periodic sweep. */
    void endIfDue(long now) {
        if (warming && now - endsNanos >= 0) {
            warming = false;
            long n = events.values().stream().mapToLong(List::size).sum();
            events.clear();
            budget.release(bytes);
            bytes = 0;
            LOG.fine(() -> "warm-up over; " + n + " events had been retained for late subscribers");
        }
    }
}
