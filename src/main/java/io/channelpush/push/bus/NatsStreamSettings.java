package io.channelpush.push.bus;

import java.time.Duration;

/**
 * The JetStream streams a {@link NatsBus} creates when they are missing ({@code CHANNELPUSH_B} for
 * {@link Channels#BROADCAST}, {@code CHANNELPUSH_G} for {@link Channels#GROUPS}, {@code CHANNELPUSH_U} for
 * {@link Channels#USERS}): each keeps at most
 * {@code maxMessages}, {@code maxBytes} and {@code maxAge} of messages (the oldest go first), on
 * {@code replicas} servers, and drops a publish repeated with the same {@code Nats-Msg-Id} within
 * {@code duplicateWindow}. The defaults keep a 2-minute outage at 1,000 messages/s per stream with room to spare
 * (200,000 messages, 256 MiB: 1.3 KiB a message on average; 10 minutes). Streams that exist already keep their own
 * limits: the node only checks that they fit ({@link NatsStreams}). Immutable.
 */
public record NatsStreamSettings(long maxMessages, long maxBytes, Duration maxAge, int replicas,
                                 Duration duplicateWindow) {
    public static final NatsStreamSettings DEFAULTS = new NatsStreamSettings(200_000, 256L << 20,
            Duration.ofMinutes(10), 1, Duration.ofMinutes(2));

    /** @throws IllegalArgumentException naming the value that is out of range */
    public NatsStreamSettings {
        if (maxMessages <= 0 || maxBytes <= 0) {
            throw new IllegalArgumentException("the stream limits must be positive, got " + maxMessages
                    + " messages and " + maxBytes + " bytes");
        }
        if (maxAge.isNegative() || maxAge.isZero() || duplicateWindow.isNegative() || duplicateWindow.isZero()) {
            throw new IllegalArgumentException("the stream's age and duplicate window must be positive");
        }
        if (duplicateWindow.compareTo(maxAge) > 0) {
            throw new IllegalArgumentException("the duplicate window (" + duplicateWindow.toSeconds()
                    + " s) may not be longer than the stream's age (" + maxAge.toSeconds() + " s)");
        }
        if (replicas < 1 || replicas > 5) {
            throw new IllegalArgumentException("replicas must be 1 to 5 (JetStream's range), got " + replicas);
        }
    }
}
