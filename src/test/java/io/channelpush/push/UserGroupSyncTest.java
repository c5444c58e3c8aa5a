package io.channelpush.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.channelpush.push.bus.BusMessage;
import io.channelpush.push.presence.PresenceQuestion;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link UserGroupSync} without sockets: a joining node's users' groups copied from another node's
 * {@link UserRegistry}, a page at a time through {@link UserGroupTable} (as {@link LocalPresence} answers), with the
 * changes heard on the bus meanwhile, nodes that do not answer or are starting too, and a node heard again after
 * the presence timeout.
 */
class UserGroupSyncTest {
    private static final PushConfig DEFAULTS = PushConfig.load(Map.<String, String>of()::get);

    private final List<UserGroupSync> syncs = new ArrayList<>();

    @AfterEach
    void close() {
        syncs.forEach(UserGroupSync::close);
    }

    /** A node's registries: what the sync reads and changes. */
    private static final class Node {
        final GroupRegistry groups = new GroupRegistry();
        final UserRegistry users = new UserRegistry("w", groups, DEFAULTS.maxGroupsPerConnection(), 100_000);

        /** Its answer to a table question, as {@link LocalPresence} gives it. */
        String answer(PresenceQuestion q) {
            return UserGroupTable.page(users.usersWithGroups(q.after(), UserGroupTable.MAX_PAGE_USERS), q.limit(),
                    users.groupsComplete()).encode();
        }

        PushSession connection(long id, String uid) {
            RecordingFrameSender rec = new RecordingFrameSender(Runnable::run, true);
            PushSession s = new PushSession(id, rec::attach, e -> new DrainGroup(rec.executor(), null, 0),
                    new SessionLimits(DEFAULTS.sendQueueBytes(), DEFAULTS.maxCommandsPerSecond(), x -> { },
                            new ClientCloseLog()));
            users.bind(s, uid);
            return s;
        }
    }

    private UserGroupSync sync(Node node, List<String> members, UserGroupSync.Asker asker) {
        UserGroupSync s = new UserGroupSync("me", node.users, () -> members, asker, 0, (t, e) -> { });
        syncs.add(s);
        return s;
    }

    /**
     * Answers from a peer's table as it is when asked, but holds the first answer until {@link #release}: what the
     * test does meanwhile happens while a copy is under way. Counts the pages asked.
     */
    private static final class HeldFirstAnswer implements UserGroupSync.Asker {
        final AtomicInteger pages = new AtomicInteger();
        private final CountDownLatch asked = new CountDownLatch(1);
        private final CountDownLatch released = new CountDownLatch(1);
        private final Node peer;
        private final int holdSeconds;

        HeldFirstAnswer(Node peer, int holdSeconds) {
            this.peer = peer;
            this.holdSeconds = holdSeconds;
        }

        @Override
        public String ask(String node, PresenceQuestion q) throws InterruptedException {
            String page = peer.answer(q);
            if (pages.incrementAndGet() == 1) {
                asked.countDown();
                assertTrue(released.await(holdSeconds, TimeUnit.SECONDS));
            }
            return page;
        }

        /** Returns once the first page has been read from the peer (and is being held). */
        void awaitAsked() throws InterruptedException {
            assertTrue(asked.await(10, TimeUnit.SECONDS), "the copy never asked");
        }

        void release() {
            released.countDown();
        }
    }

    private static Node withGroups(int users, int groupsEach) {
        Node n = new Node();
        for (int u = 0; u < users; u++) {
            for (int g = 0; g < groupsEach; g++) {
                assertEquals(UserGroupChange.DONE, n.users.addGroup("user-" + u, "group-" + (u + g) % 1_000));
            }
        }
        n.users.markGroupsComplete(true);
        return n;
    }

    @Test
    void aPageIsReadFromTheFirstUsersAfterItsStartOnlyInIdOrder() {
        Node n = withGroups(1_000, 2);
        java.util.SortedMap<String, Set<String>> after = n.users.usersWithGroups("user-5");
        java.util.SortedMap<String, Set<String>> first = n.users.usersWithGroups("user-5", 10);
        assertEquals(after.keySet().stream().limit(10).toList(), List.copyOf(first.keySet()));
        first.forEach((uid, groups) -> assertEquals(after.get(uid), groups));
        assertEquals(after, n.users.usersWithGroups("user-5", 2_000), "all of them when fewer than the bound");
    }

    @Test
    void aJoiningNodeCopiesEveryUsersGroupsInPagesAndItsConnectionsJoinThem() {
        Node peer = withGroups(20_000, 3);
        Node me = new Node();
        PushSession s = me.connection(1, "user-7");
        AtomicInteger pages = new AtomicInteger();
        sync(me, List.of("me", "peer"), (node, q) -> {
            assertEquals("peer", node);
            assertTrue(q.isFor("peer") && !q.isFor("me"), "the question is addressed to the node asked");
            pages.incrementAndGet();
            return peer.answer(q);
        });
        PushFixture.await(me.users::groupsComplete, "the copy never ended");
        assertEquals(peer.users.usersWithGroups(""), me.users.usersWithGroups(""));
        assertTrue(pages.get() > 1, "20,000 users take more than one page of " + UserGroupSync.PAGE_BYTES
                + " bytes; asked " + pages.get());
        assertEquals(Set.of("group-7", "group-8", "group-9"), s.groups(), "a connection of the user joins its groups");
        assertTrue(me.groups.members("group-8").contains(s));
    }

    @Test
    void changesHeardOnTheBusWhileCopyingWinOverTheCopy() throws Exception {
        Node peer = withGroups(10, 1);
        peer.users.addGroup("user-1", "old");
        Node me = new Node();
        HeldFirstAnswer held = new HeldFirstAnswer(peer, 10); // the peer's table as it was when asked
        UserGroupSync sync = sync(me, List.of("me", "peer"), held);
        held.awaitAsked();
        // heard on the bus after the peer answered: removed from the peer's table later, added after it
        sync.apply(new BusMessage.UserGroup("user-1", "old", true));
        sync.apply(new BusMessage.UserGroup("user-1", "old", false));
        sync.apply(new BusMessage.UserGroup("user-2", "new", true));
        held.release();
        PushFixture.await(me.users::groupsComplete, "the copy never ended");
        assertEquals(Set.of("group-1"), me.users.groupsOf("user-1"), "the removal heard meanwhile stays");
        assertEquals(Set.of("group-2", "new"), me.users.groupsOf("user-2"), "the addition heard meanwhile stays");
        assertEquals(Set.of("group-3"), me.users.groupsOf("user-3"));
    }

    @Test
    void aNodeThatMissedChangesIsIncompleteUntilItCopiedAgainAndDropsWhatWasRemovedMeanwhile() throws Exception {
        Node peer = withGroups(3, 1);
        Node me = new Node();
        AtomicInteger copies = new AtomicInteger();
        CountDownLatch second = new CountDownLatch(1);
        UserGroupSync sync = sync(me, List.of("me", "peer"), (node, q) -> {
            if (q.after().isEmpty() && copies.incrementAndGet() == 2) {
                assertTrue(second.await(10, TimeUnit.SECONDS));
            }
            return peer.answer(q);
        });
        PushFixture.await(me.users::groupsComplete, "the first copy never ended");
        assertEquals(Set.of("group-2"), me.users.groupsOf("user-2"));
        // while this node's users' stream had a gap, the cluster changed: user-2 lost its group, user-9 got one
        peer.users.removeGroup("user-2", "group-2");
        peer.users.addGroup("user-9", "group-9");
        sync.missedChanges("a gap, in this test");
        assertFalse(me.users.groupsComplete(), "a node that missed changes is not copied from");
        second.countDown();
        PushFixture.await(me.users::groupsComplete, "no second copy");
        assertEquals(Set.of("group-9"), me.users.groupsOf("user-9"));
        assertEquals(Set.of(), me.users.groupsOf("user-2"), "a group removed while this node missed changes");
        assertEquals(2, copies.get());
    }

    @Test
    void changesMissedWhileACopyRunsMakeItStartOver() throws Exception {
        Node peer = withGroups(3, 1);
        Node me = new Node();
        HeldFirstAnswer held = new HeldFirstAnswer(peer, 10); // answers the page read before the change
        UserGroupSync sync = sync(me, List.of("me", "peer"), held);
        held.awaitAsked();
        peer.users.addGroup("user-9", "group-9"); // a change this node missed after the page was read
        sync.missedChanges("a gap while copying, in this test");
        held.release();
        PushFixture.await(me.users::groupsComplete, "the copy never ended");
        assertEquals(2, held.pages.get(), "the copy started over");
        assertEquals(Set.of("group-9"), me.users.groupsOf("user-9"));
    }

    @Test
    void moreLiveChangesThanItRemembersDuringACopyMakeItStartOver() throws Exception {
        Node peer = withGroups(3, 1);
        Node me = new Node();
        HeldFirstAnswer held = new HeldFirstAnswer(peer, 30);
        UserGroupSync sync = sync(me, List.of("me", "peer"), held);
        held.awaitAsked();
        // one more distinct (user, group) change than a copy remembers, at the default bound; each is undone
        // at once so that the registry stays within its own bounds
        for (int i = 0; i <= UserGroupSync.MAX_TRACKED; i++) {
            sync.apply(new BusMessage.UserGroup("busy-" + i, "g", true));
            sync.apply(new BusMessage.UserGroup("busy-" + i, "g", false));
        }
        held.release();
        PushFixture.await(me.users::groupsComplete, "the copy never ended");
        assertEquals(2, held.pages.get(), "the copy started over");
        assertEquals(peer.users.usersWithGroups(""), me.users.usersWithGroups(""));
    }

    @Test
    void aNodeStillCopyingIsSkippedAndOneThatStopsAnsweringIsReplacedFromTheSamePage() {
        Node starting = new Node(); // its table is not complete
        Node first = withGroups(20_000, 3);
        Node second = withGroups(20_000, 3);
        List<String> asked = new CopyOnWriteArrayList<>();
        Node me = new Node();
        sync(me, List.of("a-starting", "b-first", "c-second", "me"), (node, q) -> {
            asked.add(node + "@" + q.after());
            return switch (node) {
                case "a-starting" -> starting.answer(q);
                case "b-first" -> q.after().isEmpty() ? first.answer(q) : null; // dies after its first page
                default -> second.answer(q);
            };
        });
        PushFixture.await(me.users::groupsComplete, "the copy never ended");
        assertEquals(first.users.usersWithGroups(""), me.users.usersWithGroups(""));
        assertEquals("a-starting@", asked.get(0));
        assertEquals("b-first@", asked.get(1));
        assertTrue(asked.get(2).startsWith("b-first@user-"), asked.toString());
        assertTrue(asked.get(3).startsWith("c-second@user-") && asked.get(3).substring(9).equals(
                asked.get(2).substring(8)), "the next node continues from the same page: " + asked);
    }

    @Test
    void whenEveryOtherNodeIsStartingTooTheTableStartsEmptyAndComplete() {
        Node other = new Node();
        Node me = new Node();
        sync(me, List.of("me", "other"), (node, q) -> other.answer(q));
        PushFixture.await(me.users::groupsComplete, "the copy never ended");
        assertEquals(Map.of(), me.users.usersWithGroups(""));
    }

    @Test
    void aLoneNodeHasNothingToCopy() {
        Node me = new Node();
        sync(me, List.of("me"), (node, q) -> {
            throw new AssertionError("asked " + node + " although no other node is heard");
        });
        PushFixture.await(me.users::groupsComplete, "the copy never ended");
    }

    @Test
    void whenNoNodeAnswersTheCopyIsTriedAgain() {
        Node peer = withGroups(5, 2);
        Node me = new Node();
        AtomicInteger calls = new AtomicInteger();
        sync(me, List.of("me", "peer"), (node, q) -> calls.incrementAndGet() <= 3 ? null : peer.answer(q));
        PushFixture.await(me.users::groupsComplete, "the copy never ended");
        assertEquals(peer.users.usersWithGroups(""), me.users.usersWithGroups(""));
        assertEquals(4, calls.get());
    }

    @Test
    void aPageStaysUnderItsByteBudgetAndAlwaysMovesOnAndTravelsWhole() {
        SortedMap<String, Set<String>> tail = new TreeMap<>();
        tail.put("big", Set.of("g".repeat(5_000), "h\"quoted\\".repeat(100)));
        for (int i = 0; i < 1_000; i++) {
            tail.put("u" + i, Set.of("group-" + i));
        }
        UserGroupTable first = UserGroupTable.page(tail, 1_000, true);
        assertEquals(List.of("big"), new ArrayList<>(first.users().keySet()), "one user over the budget still goes");
        assertTrue(first.more());
        UserGroupTable second = UserGroupTable.page(tail.tailMap(first.last() + "\0"), 1_000, true);
        assertTrue(second.encode().length() <= 1_000, second.encode().length() + " bytes");
        assertTrue(second.users().size() > 10);
        assertEquals(first, UserGroupTable.decode(first.encode()));
        UserGroupTable all = UserGroupTable.page(tail, UserGroupTable.MAX_PAGE_BYTES, false);
        assertFalse(all.more());
        assertFalse(UserGroupTable.decode(all.encode()).complete());
        assertEquals(tail, UserGroupTable.decode(all.encode()).users());
    }
}
