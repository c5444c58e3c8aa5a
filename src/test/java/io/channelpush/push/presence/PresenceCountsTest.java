package io.channelpush.push.presence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The cluster's once-per-user join and leave counting, and the event scope, without sockets. */
class PresenceCountsTest {
    private final List<String> events = new ArrayList<>();
    private final PresenceCounts counts = new PresenceCounts(100,
            (group, uid, join) -> events.add((join ? "join " : "leave ") + group + " " + uid));

    @Test
    void aUserOnThreeNodesJoinsOnceAndLeavesOnceWhenItsLastNodeLetsGo() {
        counts.joined("a", "g", "u");
        counts.joined("b", "g", "u");
        counts.joined("b", "g", "u"); // a repeated announcement changes nothing
        counts.joined("c", "g", "u");
        assertEquals(List.of("join g u"), events);
        counts.left("a", "g", "u");
        counts.left("c", "g", "u");
        counts.left("c", "g", "u");
        assertEquals(List.of("join g u"), events);
        counts.left("b", "g", "u");
        assertEquals(List.of("join g u", "leave g u"), events);
        assertEquals(0, counts.pairs());
        assertEquals(Set.of(), counts.nodes());
    }

    @Test
    void aGoneNodeTakesOnlyTheUsersWithNoOtherNode() {
        counts.joined("a", "g", "alone");
        counts.joined("a", "g", "both");
        counts.joined("b", "g", "both");
        counts.joined("a", "h", "alone");
        events.clear();
        counts.nodeGone("a");
        assertEquals(Set.of("leave g alone", "leave h alone"), Set.copyOf(events));
        assertEquals(2, events.size());
        assertEquals(1, counts.pairs());
        assertEquals(Set.of("b"), counts.nodes());
    }

    @Test
    void aReannouncementYieldsOnlyTheDifferences() {
        counts.joined("a", "g", "kept");
        counts.joined("a", "g", "lost");
        events.clear();
        counts.syncStarted("a");
        counts.joined("a", "g", "kept");
        counts.joined("a", "g", "new");
        counts.syncEnded("a");
        assertEquals(List.of("join g new", "leave g lost"), events);
        // a node heard for the first time re-announces into nothing: every share is a join
        counts.syncStarted("b");
        counts.joined("b", "g", "kept");
        counts.syncEnded("b");
        assertEquals(2, events.size());
        counts.nodeGone("a");
        assertEquals(List.of("join g new", "leave g lost", "leave g new"), events);
    }

    @Test
    void aNodeThatDiesWhileReannouncingLosesTheConfirmedAndUnconfirmedShares() {
        counts.joined("a", "g", "x");
        counts.joined("a", "g", "y");
        counts.syncStarted("a");
        counts.joined("a", "g", "x");
        events.clear();
        counts.nodeGone("a");
        assertEquals(Set.of("leave g x", "leave g y"), Set.copyOf(events));
        assertEquals(0, counts.pairs());
    }

    @Test
    void pairsBeyondTheBoundAreNotTrackedAndCounted() {
        PresenceCounts small = new PresenceCounts(2, (g, u, j) -> events.add(u));
        small.joined("a", "g", "1");
        small.joined("a", "g", "2");
        small.joined("a", "g", "3");
        small.joined("b", "g", "1"); // a tracked pair still gains nodes
        assertEquals(List.of("1", "2"), events);
        assertEquals(1, small.refused());
        small.left("a", "g", "3"); // an untracked pair's leave is nothing
        small.left("a", "g", "2");
        assertEquals(List.of("1", "2", "2"), events);
        small.joined("a", "g", "3");
        assertEquals(List.of("1", "2", "2", "3"), events);
    }

    @Test
    void theScopeIsOffAllOrGroupPrefixes() {
        assertTrue(!EventScope.parse(null).enabled() && !EventScope.parse("off").enabled());
        assertTrue(EventScope.parse("all").covers("anything"));
        EventScope rooms = EventScope.parse("room:, team-");
        assertTrue(rooms.covers("room:7") && rooms.covers("team-a"));
        assertTrue(!rooms.covers("roo") && !rooms.covers("news"));
        assertThrows(IllegalArgumentException.class, () -> EventScope.parse("room:,,team-"));
    }
}
