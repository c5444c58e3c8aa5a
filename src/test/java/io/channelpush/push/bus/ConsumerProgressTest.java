package io.channelpush.push.bus;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The stream watchdog's decision, without a server: behind and no progress over two checks in a row. */
class ConsumerProgressTest {
    @Test
    void aConsumerBehindWithoutProgressForTwoChecksIsStuck() {
        ConsumerProgress p = new ConsumerProgress();
        assertFalse(p.stuck(10, 15), "first sight of it behind");
        assertTrue(p.stuck(10, 20), "still at 10 with the stream at 20");
        assertFalse(p.stuck(10, 20), "the next check starts afresh (its replacement gets a chance)");
        assertTrue(p.stuck(10, 21));
    }

    @Test
    void progressOrACaughtUpConsumerIsNotStuck() {
        ConsumerProgress p = new ConsumerProgress();
        assertFalse(p.stuck(10, 15));
        assertFalse(p.stuck(12, 15), "it delivered 11 and 12 meanwhile");
        assertTrue(p.stuck(12, 15));
        assertFalse(p.stuck(15, 15), "caught up");
        assertFalse(p.stuck(15, 16), "behind again: first sight");
        assertFalse(p.stuck(16, 16));
        assertFalse(p.stuck(16, 17), "caught up in between: first sight again");
        assertFalse(p.stuck(20, 18), "ahead of a stale leader's info");
        assertFalse(p.stuck(20, 21));
    }

    @Test
    void aResetForgetsThePreviousCheck() {
        ConsumerProgress p = new ConsumerProgress();
        assertFalse(p.stuck(10, 15));
        p.reset();
        assertFalse(p.stuck(10, 15), "a new consumer is given a check of its own");
        assertTrue(p.stuck(10, 15));
    }
}
