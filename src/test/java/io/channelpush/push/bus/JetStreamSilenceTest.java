package io.channelpush.push.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@link JetStreamSilence} at its default limits, on a clock the test moves. */
class JetStreamSilenceTest {
    private static final long FIRST = JetStreamSilence.LIMIT.toNanos();
    private static final long T0 = 1_000_000_000L;

    private final JetStreamSilence silence = new JetStreamSilence(JetStreamSilence.LIMIT, JetStreamSilence.MAX_LIMIT,
            T0);

    @Test
    void requestsNotServedReconnectOnlyOnceJetStreamWasSilentForTheLimitSinceTheConnection() {
        silence.connected(T0);
        assertEquals(-1, silence.notServed(T0 + FIRST - 1));
        assertEquals(FIRST, silence.notServed(T0 + FIRST));
        assertEquals(-1, silence.notServed(T0 + FIRST + 1), "silence is counted again from the reconnect asked for");
    }

    @Test
    void aServedRequestStartsTheSilenceAgain() {
        silence.connected(T0);
        silence.served(T0 + FIRST - 1);
        assertEquals(-1, silence.notServed(T0 + FIRST));
        assertEquals(-1, silence.notServed(T0 + 2 * FIRST - 2));
        assertEquals(FIRST, silence.notServed(T0 + 2 * FIRST - 1));
    }

    @Test
    void eachReconnectWithoutAServedRequestDoublesTheLimitUpToTheLargestAndOneServedResetsIt() {
        long now = T0;
        silence.connected(now);
        long expected = FIRST;
        for (int i = 0; i < 6; i++) {
            assertEquals(Duration.ofNanos(expected), silence.limit());
            now += expected;
            silence.connected(now - expected / 2); // the new connection came up meanwhile, and stays silent
            assertEquals(-1, silence.notServed(now), "counted from the new connection");
            now += expected / 2;
            assertEquals(expected, silence.notServed(now));
            expected = Math.min(JetStreamSilence.MAX_LIMIT.toNanos(), expected * 2);
        }
        assertEquals(JetStreamSilence.MAX_LIMIT, silence.limit());
        silence.served(now);
        assertEquals(JetStreamSilence.LIMIT, silence.limit());
    }
}
