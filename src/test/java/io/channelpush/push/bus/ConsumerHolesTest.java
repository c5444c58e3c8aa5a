package io.channelpush.push.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.channelpush.push.bus.ConsumerHoles.Held;
import io.channelpush.push.bus.ConsumerHoles.Verdict;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** What a stream consumer's jump over sequences is taken for, without a server. */
class ConsumerHolesTest {
    private static final long S = TimeUnit.SECONDS.toNanos(1);

    private final List<Long> asked = new ArrayList<>();

    private ConsumerHoles holes(Held answer) {
        return new ConsumerHoles(seq -> {
            asked.add(seq);
            return answer;
        }, Duration.ofSeconds(10));
    }

    @Test
    void theFirstJumpAfterASequenceIsReadAgainAtOnceWithoutAskingTheLeader() {
        ConsumerHoles h = holes(Held.BEYOND_RETENTION);
        assertEquals(Verdict.READ_AGAIN, h.jumped(100, 0));
        assertEquals(List.of(), asked);
        assertNull(h.lastAnswer());
    }

    @Test
    void aHoleBelowTheStreamsFirstSequenceIsSkippedOnceAFreshConsumerShowsItAgain() {
        ConsumerHoles h = holes(Held.BEYOND_RETENTION);
        h.jumped(100, 0);
        assertEquals(Verdict.SKIP, h.jumped(100, 1));
        assertEquals(List.of(101L), asked, "the leader is asked about the first message after the last delivered");
        assertEquals(Held.BEYOND_RETENTION, h.lastAnswer());
    }

    @Test
    void aMessageTheLeaderSaysItLacksWithinItsRangeIsReadAgainUntilThePatienceIsOver() {
        ConsumerHoles h = holes(Held.MISSING);
        assertEquals(Verdict.READ_AGAIN, h.jumped(100, 0));
        assertEquals(Verdict.READ_AGAIN_LATER, h.jumped(100, S), "a leader still catching up says so too");
        assertEquals(Verdict.READ_AGAIN_LATER, h.jumped(100, 10 * S - 1));
        assertEquals(Verdict.SKIP, h.jumped(100, 10 * S), "ten seconds after the hole was first seen");
        assertEquals(Held.MISSING, h.lastAnswer());
    }

    @Test
    void aMessageTheLeaderHoldsOrCannotTellAboutIsNeverSkipped() {
        for (Held answer : new Held[] {Held.STORED, Held.UNKNOWN}) {
            ConsumerHoles h = holes(answer);
            h.jumped(100, 0);
            for (long t = 1; t <= 100; t += 33) {
                assertEquals(Verdict.READ_AGAIN_LATER, h.jumped(100, t * S), answer + " after " + t + " s");
            }
        }
    }

    @Test
    void aJumpAfterAnotherSequenceIsANewHoleWithItsOwnPatience() {
        ConsumerHoles h = holes(Held.MISSING);
        h.jumped(100, 0);
        h.jumped(100, 9 * S);
        assertEquals(Verdict.READ_AGAIN, h.jumped(150, 9 * S), "the consumer got past 100: a new hole after 150");
        assertEquals(Verdict.READ_AGAIN_LATER, h.jumped(150, 18 * S), "its patience counts from 9 s");
        assertEquals(Verdict.SKIP, h.jumped(150, 19 * S));
    }
}
