package io.channelpush.push;

import io.channelpush.channel.log.RateLimitedLog;
import io.channelpush.push.bus.BusMessage;
import io.channelpush.push.bus.BusUnavailableException;
import io.channelpush.push.presence.PresenceQuestion;
import io.channelpush.push.presence.ScatterGather;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Copies the groups given to users through the publisher ({@code uid=U&add_group=G}, kept in every node's
 * {@link UserRegistry}) into a node that missed changes: every running node hears every change on the bus's
 * {@code u} stream, which resumes where it was after a reconnect, but a node that starts missed everything before,
 * and one whose {@code u} stream resumed with a gap, or whose bus reconnected while {@code u} is not kept as a stream
 * ({@link #missedChanges}), missed some.
 *
 * <p>When: once at start, after {@code settleMillis} (long enough to hear every live node's heartbeat), and again
 * {@code settleMillis} after {@link #missedChanges}. Meanwhile the node's table is marked incomplete. How: it asks
 * one other node whose own table is complete for its table, a page at a time ({@link UserGroupTable}, under the
 * bus's message limit), moving to the next node from the same page when one does not answer; then it makes its own
 * table equal to the copy: the pairs (user, group) it lacks are added, those the copy lacks are removed. A pair
 * changed on the bus while it copies keeps what the bus said (the change is newer than, or already in, the copy; a
 * live change and the copy's application of the same pair never interleave). When no other node is heard, or every
 * other node's table is incomplete too (a cold start of the whole cluster, or every node reconnecting after the
 * channel daemon restarted), there is nothing better to copy: the node keeps its table (empty at start, as the
 * groups of a user live only in the nodes' memory). When no node answers, it tries again after
 * {@code settleMillis}.
 *
 * <p>Bounds: one copy at a time, on its own thread; each page waits at most the presence wait; at most
 * {@value #MAX_TRACKED} live changes are remembered during a copy, beyond which the copy starts over.
 *
 * <p>Thread-safety: {@link #apply} is called by the bus's thread, {@link #missedChanges} by the bus's, the copy
 * runs on this object's thread; they share a lock per applied pair only while a copy runs. Closes idempotently.
 */
final class UserGroupSync implements AutoCloseable {
    /** Asks one node a question; the answer, or null when it did not answer within the presence wait. */
    @FunctionalInterface
    interface Asker {
        String ask(String node, PresenceQuestion q) throws InterruptedException;
    }

    /** The page size this node asks for: a quarter of the bus's limit, which the answer's escaping may double. */
    static final int PAGE_BYTES = 256 * 1024;
    /** Live changes remembered during one copy; beyond, the copy starts over. */
    static final int MAX_TRACKED = 200_000;

    private static final Logger LOG = Logger.getLogger(UserGroupSync.class.getName());

    private final String workerId;
    private final UserRegistry users;
    private final Supplier<List<String>> members;
    private final Asker asker;
    private final long settleMillis;
    private final BiConsumer<Thread, Throwable> threadDied;
    private final ScheduledExecutorService exec;
    private final RateLimitedLog retries = new RateLimitedLog(LOG, Level.WARNING);
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Object lock = new Object();
    /** Pairs (user, group) changed on the bus since the copy began; guarded by {@link #lock}. */
    private final Set<String> touched = ConcurrentHashMap.newKeySet();
    /**
     * Whether a copy is scheduled or runs (changes on the bus are remembered meanwhile); written under
     * {@link #lock}, read without it on the bus's fast path.
     */
    private volatile boolean copying = true;
    /** More changes came during the copy than {@link #MAX_TRACKED}; guarded by {@link #lock}. */
    private boolean overflow;
    /** Changes were missed again while a copy was scheduled or ran: it starts over; guarded by {@link #lock}. */
    private boolean copyAgain;

    /**
     * @param members the live nodes (this one included)
     * @param asker asks one node a question ({@link io.channelpush.push.presence.Presence#askNode})
     * @param settleMillis how long after start (or after {@link #missedChanges}) the copy begins
     */
    UserGroupSync(String workerId, UserRegistry users, Supplier<List<String>> members, Asker asker,
                  long settleMillis, BiConsumer<Thread, Throwable> threadDied) {
        this.workerId = workerId;
        this.users = users;
        this.members = members;
        this.asker = asker;
        this.settleMillis = settleMillis;
        this.threadDied = threadDied;
        this.exec = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "user-groups-copy-" + workerId);
            t.setDaemon(true);
            return t;
        });
        exec.schedule(this::copy, settleMillis, TimeUnit.MILLISECONDS);
    }

    /** A user's group change from the bus (bus thread): applied, and remembered while a copy runs. */
    void apply(BusMessage.UserGroup ug) {
        if (!copying) {
            users.apply(ug);
            return;
        }
        synchronized (lock) {
            if (copying) {
                if (touched.size() < MAX_TRACKED) {
                    touched.add(key(ug.uid(), ug.groupId()));
                } else {
                    overflow = true;
                }
            }
            users.apply(ug);
        }
    }

    /**
     * This node may have missed users' group changes (its {@code u} stream resumed with a gap, or its bus reconnected
     * while {@code u} is not a stream): its table is incomplete until it has copied another node's again.
     */
    void missedChanges(String why) {
        schedule("worker " + workerId + ": " + why);
    }

    private void schedule(String why) {
        if (closed.get()) {
            return;
        }
        synchronized (lock) {
            users.markGroupsComplete(false);
            if (copying) {
                // a copy is scheduled or running: one that already read pages may lack what was just missed
                copyAgain = true;
                return;
            }
            copying = true;
            touched.clear();
            overflow = false;
        }
        LOG.info(() -> why + "; copying users' groups from another node in " + settleMillis + " ms");
        exec.schedule(this::copy, settleMillis, TimeUnit.MILLISECONDS);
    }

    private void copy() {
        try {
            copyOnce();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "worker " + workerId + ": copying users' groups failed; trying again", e);
            again();
        } catch (Error e) {
            threadDied.accept(Thread.currentThread(), e);
            throw e;
        }
    }

    private void again() {
        if (!closed.get()) {
            exec.schedule(this::copy, settleMillis, TimeUnit.MILLISECONDS);
        }
    }

    private void copyOnce() throws InterruptedException {
        long start = System.nanoTime();
        List<String> peers = new ArrayList<>(members.get());
        peers.remove(workerId);
        TreeMap<String, Set<String>> table = new TreeMap<>();
        String after = "";
        String from = null;
        int pages = 0;
        boolean whole = false;
        boolean unanswered = false;
        for (String peer : peers) {
            try {
                while (true) {
                    String answer = asker.ask(peer, PresenceQuestion.userGroupTable(peer, after, PAGE_BYTES));
                    if (answer == null) {
                        unanswered = true;
                        break;
                    }
                    UserGroupTable page = UserGroupTable.decode(answer);
                    if (!page.complete()) {
                        break; // it is copying too: its table may lack what another node has
                    }
                    from = peer;
                    pages++;
                    table.putAll(page.users());
                    if (!page.more()) {
                        whole = true;
                        break;
                    }
                    after = page.last();
                }
            } catch (ScatterGather.Full | BusUnavailableException | IllegalArgumentException e) {
                unanswered = true;
                retries.log(() -> "worker " + workerId + ": node " + peer + " did not give its users' groups ("
                        + e.getMessage() + "); asking another");
            }
            if (whole) {
                break;
            }
        }
        if (!whole && unanswered) {
            retries.log(() -> "worker " + workerId + ": no node gave its users' groups (nodes " + peers + "); "
                    + "trying again in " + settleMillis + " ms. Until then this node's connections do not join the "
                    + "groups given to their users before it started");
            again();
            return;
        }
        if (startOver()) {
            return;
        }
        // outside the lock: the bus's thread applies live changes between the pairs, each pair under the lock
        int[] changed = whole ? replaceWith(table) : new int[2];
        synchronized (lock) {
            if (startOver()) {
                return; // missed changes were reported while the copy was applied
            }
            copying = false;
            touched.clear();
            users.markGroupsComplete(true);
        }
        String source = from;
        int n = pages;
        LOG.info(() -> "worker " + workerId + ": " + (source == null ? "kept its users' groups ("
                + (peers.isEmpty() ? "no other node heard" : "every other node's are incomplete too") + ")"
                : "copied the groups of " + table.size() + " users from worker " + source + " in " + n + " pages"
                + "; added " + changed[0] + ", removed " + changed[1] + " (user, group) pairs") + " in "
                + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) + " ms");
    }

    /**
     * Starts the copy over (and says why) when more changes came than were remembered or changes were missed again
     * since it began; the caller then ends this attempt.
     */
    private boolean startOver() {
        synchronized (lock) {
            if (!overflow && !copyAgain) {
                return false;
            }
            boolean tooMany = overflow;
            retries.log(() -> "worker " + workerId + ": " + (tooMany ? "more than " + MAX_TRACKED + " users' group "
                    + "changes arrived while copying" : "changes were missed again while copying")
                    + "; starting the copy over");
            touched.clear();
            overflow = false;
            copyAgain = false;
        }
        again();
        return true;
    }

    /** Makes this node's table equal to {@code table}, except the pairs changed on the bus meanwhile. */
    private int[] replaceWith(SortedMap<String, Set<String>> table) {
        int added = 0;
        int removed = 0;
        for (Map.Entry<String, Set<String>> e : table.entrySet()) {
            String uid = e.getKey();
            for (String g : e.getValue()) {
                synchronized (lock) {
                    if (!touched.contains(key(uid, g)) && !users.groupsOf(uid).contains(g)
                            && users.addGroup(uid, g) == UserGroupChange.DONE) {
                        added++;
                    }
                }
            }
        }
        for (Map.Entry<String, Set<String>> e : users.usersWithGroups("").entrySet()) {
            String uid = e.getKey();
            Set<String> theirs = table.getOrDefault(uid, Set.of());
            for (String g : e.getValue()) {
                if (!theirs.contains(g)) {
                    synchronized (lock) {
                        if (!touched.contains(key(uid, g)) && users.groupsOf(uid).contains(g)) {
                            users.removeGroup(uid, g);
                            removed++;
                        }
                    }
                }
            }
        }
        return new int[] {added, removed};
    }

    /** A pair's key: user ids never hold a line break ({@link io.channelpush.push.auth.UserIds#RULE}). */
    private static String key(String uid, String group) {
        return uid + '\n' + group;
    }

    /** Stops the copy's thread, waiting at most a second. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        exec.shutdownNow();
        try {
            exec.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
