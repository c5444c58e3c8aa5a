package io.channelpush.channel.daemon;

import io.channelpush.channel.protocol.FrameCodec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Settings of a {@link ChannelDaemon}. Immutable.
 *
 * @param host address to bind; 127.0.0.1 unless told otherwise
 * @param port TCP port; 0 picks a free one
 * @param maxFrameBytes largest accepted frame body
 * @param queueLimit most items one queue keeps while no watcher takes them
 * @param outboundLimitBytes most bytes queued for one connection before it is closed as a slow consumer
 * @param idleTimeout a connection that sends nothing (not even a ping) for this long is closed
 * @param secret shared secret every {@code hello} must carry, or {@code null} for none
 * @param warmup how long after start publishes are also retained and replayed to connections that subscribe,
 *     so that publishes buffered by clients during a daemon restart reach subscribers that reconnect a moment
 *     after the publishers; {@link Duration#ZERO} turns it off
 * @param memoryLimitBytes most bytes the daemon retains in all: frame bodies being received, queue items,
 *     outbound buffers of every connection and the warm-up replay; a request that would pass it is refused with
 *     the non-fatal {@code over_capacity}
 * @param helloTimeout a connection that has not completed {@code hello} this long after connecting is closed
 * @param streams the stream channels, their data folder, retention and fsync policy (protocol version 2)
 */
public record DaemonConfig(String host, int port, int maxFrameBytes, int queueLimit, long outboundLimitBytes,
                           Duration idleTimeout, String secret, Duration warmup, long memoryLimitBytes,
                           Duration helloTimeout, StreamSettings streams) {
    public static final int DEFAULT_PORT = 2206;
    /** Default of {@link #memoryLimitBytes()}: 256 MiB. */
    public static final long DEFAULT_MEMORY_LIMIT_BYTES = 256L << 20;

    public DaemonConfig {
        if (maxFrameBytes < 64) {
            throw new IllegalArgumentException("max frame bytes must be at least 64, got " + maxFrameBytes);
        }
        if (queueLimit < 1) {
            throw new IllegalArgumentException("queue limit must be at least 1, got " + queueLimit);
        }
        if (outboundLimitBytes < maxFrameBytes) {
            throw new IllegalArgumentException("outbound limit must be at least the max frame size");
        }
        if (memoryLimitBytes < 2L * maxFrameBytes) {
            throw new IllegalArgumentException("memory limit must be at least twice the max frame size ("
                    + 2L * maxFrameBytes + "), got " + memoryLimitBytes);
        }
        if (helloTimeout.isNegative() || helloTimeout.isZero()) {
            throw new IllegalArgumentException("hello timeout must be positive, got " + helloTimeout);
        }
    }

    /**
     * Defaults: 127.0.0.1:2206, 1 MiB frames, 100,000 items per queue, 16 MiB per connection, 60 s idle, 5 s
     * warm-up, 256 MiB retained in all, 5 s to say hello.
     */
    public static DaemonConfig defaults() {
        return new DaemonConfig("127.0.0.1", DEFAULT_PORT, FrameCodec.DEFAULT_MAX_FRAME_BYTES, 100_000,
                16L << 20, Duration.ofSeconds(60), null, Duration.ofSeconds(5), DEFAULT_MEMORY_LIMIT_BYTES,
                Duration.ofSeconds(5), StreamSettings.defaults());
    }

    public DaemonConfig withHost(String h) {
        return new DaemonConfig(h, port, maxFrameBytes, queueLimit, outboundLimitBytes, idleTimeout, secret, warmup,
                memoryLimitBytes, helloTimeout, streams);
    }

    public DaemonConfig withPort(int p) {
        return new DaemonConfig(host, p, maxFrameBytes, queueLimit, outboundLimitBytes, idleTimeout, secret, warmup,
                memoryLimitBytes, helloTimeout, streams);
    }

    public DaemonConfig withMaxFrameBytes(int n) {
        return new DaemonConfig(host, port, n, queueLimit, Math.max(outboundLimitBytes, n), idleTimeout, secret,
                warmup, Math.max(memoryLimitBytes, 2L * n), helloTimeout, streams);
    }

    public DaemonConfig withQueueLimit(int n) {
        return new DaemonConfig(host, port, maxFrameBytes, n, outboundLimitBytes, idleTimeout, secret, warmup,
                memoryLimitBytes, helloTimeout, streams);
    }

    public DaemonConfig withOutboundLimitBytes(long n) {
        return new DaemonConfig(host, port, maxFrameBytes, queueLimit, n, idleTimeout, secret, warmup,
                memoryLimitBytes, helloTimeout, streams);
    }

    public DaemonConfig withIdleTimeout(Duration d) {
        return new DaemonConfig(host, port, maxFrameBytes, queueLimit, outboundLimitBytes, d, secret, warmup,
                memoryLimitBytes, helloTimeout, streams);
    }

    public DaemonConfig withWarmup(Duration d) {
        return new DaemonConfig(host, port, maxFrameBytes, queueLimit, outboundLimitBytes, idleTimeout, secret, d,
                memoryLimitBytes, helloTimeout, streams);
    }

    public DaemonConfig withSecret(String s) {
        return new DaemonConfig(host, port, maxFrameBytes, queueLimit, outboundLimitBytes, idleTimeout, s, warmup,
                memoryLimitBytes, helloTimeout, streams);
    }

    public DaemonConfig withMemoryLimitBytes(long n) {
        return new DaemonConfig(host, port, maxFrameBytes, queueLimit, outboundLimitBytes, idleTimeout, secret, warmup,
                n, helloTimeout, streams);
    }

    public DaemonConfig withStreams(StreamSettings s) {
        return new DaemonConfig(host, port, maxFrameBytes, queueLimit, outboundLimitBytes, idleTimeout, secret, warmup,
                memoryLimitBytes, helloTimeout, s);
    }

    /** The same with the data folder {@code dir} (tests give each daemon a folder of its own). */
    public DaemonConfig withDataDir(Path dir) {
        return withStreams(streams.withDataDir(dir));
    }

    public DaemonConfig withHelloTimeout(Duration d) {
        return new DaemonConfig(host, port, maxFrameBytes, queueLimit, outboundLimitBytes, idleTimeout, secret, warmup,
                memoryLimitBytes, d, streams);
    }

    Path dataDir() {
        return streams.dataDir();
    }

    List<String> streamChannels() {
        return streams.channels();
    }

    StreamLog.Retention retention() {
        return streams.retention();
    }

    boolean fsyncAlways() {
        return streams.fsyncAlways();
    }

    long fsyncIntervalMillis() {
        return streams.fsyncInterval().toMillis();
    }
}
