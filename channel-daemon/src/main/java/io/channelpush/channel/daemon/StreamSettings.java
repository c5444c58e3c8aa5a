package io.channelpush.channel.daemon;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Settings of the daemon's streams (protocol version 2). Immutable.
 *
 * @param dataDir the data folder: epoch, lock and one folder of segment files per stream
 * @param channels the channels that are streams (every publish to them gets an offset and is logged)
 * @param maxMessages most records a stream keeps
 * @param maxBytes most bytes of records a stream keeps on disk
 * @param maxAge records older than this are deleted (a segment at a time)
 * @param fsyncAlways flush the logs before acknowledging (group commit per batch) instead of every interval
 * @param fsyncInterval how often the logs are flushed when not {@code fsyncAlways}
 */
public record StreamSettings(Path dataDir, List<String> channels, long maxMessages, long maxBytes, Duration maxAge,
                             boolean fsyncAlways, Duration fsyncInterval) {
    public StreamSettings {
        channels = List.copyOf(channels);
        if (maxMessages < 1 || maxBytes < 1 || maxAge.isNegative() || maxAge.isZero()) {
            throw new IllegalArgumentException("stream retention bounds must be positive");
        }
        if (fsyncInterval.isNegative() || fsyncInterval.isZero()) {
            throw new IllegalArgumentException("fsync interval must be positive, got " + fsyncInterval);
        }
    }

    /**
     * Defaults: folder {@code channel-data}, streams {@code b}, {@code g} and {@code u} (Channel Push's broadcasts,
     * group messages and pushes to users), 300,000 messages, 1 GiB, 5 minutes
     * (a 2-minute outage at 1,000 messages/s, with room), fsync every 1,000 ms.
     */
    public static StreamSettings defaults() {
        return new StreamSettings(Path.of("channel-data"), List.of("b", "g", "u"), 300_000, 1L << 30,
                Duration.ofMinutes(5), false, Duration.ofMillis(1000));
    }

    public StreamSettings withDataDir(Path d) {
        return new StreamSettings(d, channels, maxMessages, maxBytes, maxAge, fsyncAlways, fsyncInterval);
    }

    public StreamSettings withChannels(List<String> c) {
        return new StreamSettings(dataDir, c, maxMessages, maxBytes, maxAge, fsyncAlways, fsyncInterval);
    }

    public StreamSettings withRetention(long messages, long bytes, Duration age) {
        return new StreamSettings(dataDir, channels, messages, bytes, age, fsyncAlways, fsyncInterval);
    }

    public StreamSettings withFsync(boolean always, Duration interval) {
        return new StreamSettings(dataDir, channels, maxMessages, maxBytes, maxAge, always, interval);
    }

    StreamLog.Retention retention() {
        return new StreamLog.Retention(maxMessages, maxBytes, maxAge.toMillis());
    }
}
