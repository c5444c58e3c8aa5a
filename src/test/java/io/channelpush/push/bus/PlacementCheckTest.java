package io.channelpush.push.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which stream consumers' messages a reader hands on, without a server. */
class PlacementCheckTest {
    @Test
    void aNewConsumerOffTheLeaderIsRefusedAndOneOnItTakenAndNotAskedAgain() {
        List<String> asked = new ArrayList<>();
        PlacementCheck c = new PlacementCheck(name -> {
            asked.add(name);
            return name.startsWith("leader");
        });
        assertFalse(c.accepts("follower-1", 10), "a follower may hold other messages at the same offsets");
        assertTrue(c.accepts("leader-2", 10));
        assertTrue(c.accepts("leader-2", 11));
        assertTrue(c.accepts("leader-2", 12));
        assertEquals(List.of("follower-1", "leader-2"), asked, "a consumer is asked about once");
        assertFalse(c.accepts("follower-3", 40), "jnats recreated it after a heartbeat alarm, elsewhere");
        assertTrue(c.accepts(null, 40), "a message without a consumer name is taken");
    }

    @Test
    void afterTriesAtTheSameOffsetTheNextConsumerIsTakenWhereverItIs() {
        PlacementCheck c = new PlacementCheck(Set.of()::contains);
        for (int i = 0; i < NatsPlacement.TRIES; i++) {
            assertFalse(c.accepts("c" + i, 7), "try " + i);
        }
        assertTrue(c.accepts("c-last", 7), "delivery does not stop when the leader cannot be told");
        assertFalse(c.accepts("another", 8), "a later offset starts counting again");
    }
}
