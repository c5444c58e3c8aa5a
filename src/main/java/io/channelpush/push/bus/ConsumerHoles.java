package io.channelpush.push.bus;

import java.time.Duration;
import java.util.function.LongFunction;

/**
 * Decides whether a stream consumer that jumps over sequences ({@link NatsStreamReader}) shows a real hole, which
 * the node then skips, or a replica that is behind, which it reads again after the last message delivered.
 *
 * <p>Our streams keep limits retention and discard old messages, and nothing of ours deletes one: the only hole
 * JetStream may rightly show is below the stream's first sequence (retention), or one an operator deleted. A
 * consumer on a replica that catches up after a stall (nats-server 2.9 resets its store and fills it again) jumps
 * ahead without a gap in its own sequence, and a leader elected while its store still catches up, or one resumed
 * after a stall that has not heard of its successor, answers "no message" for a message the stream holds. So:
 * <ul>
 *   <li>the first jump after a given sequence is never taken as real: a fresh consumer must show it again;</li>
 *   <li>then the stream's leader is asked ({@link Held}): a hole below its first sequence is real at once;</li>
 *   <li>a message the leader says it lacks although it holds earlier ones is taken as gone only after the leader
 *       kept saying so for the patience (default {@link #PATIENCE}) since the hole was first seen: what a
 *       leader still catching up lacks, it has by then.</li>
 * </ul>
 *
 * <p>Not thread-safe: the reader's dispatcher thread alone uses it.
 */
final class ConsumerHoles {
    /** How long a message the leader says it lacks, within its stored range, is asked for again before skipping it. */
    static final Duration PATIENCE = Duration.ofSeconds(10);

    /** What the stream's leader says of one sequence. */
    enum Held {
        /** It holds the message. */
        STORED,
        /** It no longer holds it: the sequence is below the stream's first (retention). */
        BEYOND_RETENTION,
        /** It says it lacks the message although its first sequence is at or below it. */
        MISSING,
        /** No answer, or another error: assume it holds the message. */
        UNKNOWN
    }

    /** What to do with a consumer that jumped. */
    enum Verdict {
        /** Drop the consumer and read again after the last message delivered, now. */
        READ_AGAIN,
        /** The same, after a short pause: the hole was seen before and the leader says it holds the message. */
        READ_AGAIN_LATER,
        /** Deliver what follows the hole: its messages are gone. */
        SKIP
    }

    private final LongFunction<Held> leader;
    private final Duration patience;
    private final long patienceNanos;
    private long after = -1; // the last sequence delivered before the hole being looked at, or -1
    private long seenNanos;
    private Held lastAnswer;

    /**
     * @param leader what the stream's leader says of a sequence (it may block up to the API timeout)
     * @param patience how long a {@link Held#MISSING} message is asked for before it is skipped
     */
    ConsumerHoles(LongFunction<Held> leader, Duration patience) {
        this.leader = leader;
        this.patience = patience;
        this.patienceNanos = patience.toNanos();
    }

    Duration patience() {
        return patience;
    }

    /**
     * A consumer delivered a sequence above {@code after + 1}.
     *
     * @param after the last sequence handed to the handler
     * @param nowNanos {@link System#nanoTime}
     */
    Verdict jumped(long after, long nowNanos) {
        if (this.after != after) {
            this.after = after;
            seenNanos = nowNanos;
            lastAnswer = null;
            return Verdict.READ_AGAIN;
        }
        lastAnswer = leader.apply(after + 1);
        return switch (lastAnswer) {
            case BEYOND_RETENTION -> Verdict.SKIP;
            case MISSING -> nowNanos - seenNanos >= patienceNanos ? Verdict.SKIP : Verdict.READ_AGAIN_LATER;
            case STORED, UNKNOWN -> Verdict.READ_AGAIN_LATER;
        };
    }

    /** The leader's last answer about the hole being looked at (for the log line), or null before it was asked. */
    Held lastAnswer() {
        return lastAnswer;
    }
}
