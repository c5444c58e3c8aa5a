package io.channelpush.push;

import io.channelpush.channel.log.RateLimitedLog;
import io.channelpush.push.bus.BusMessage;
import io.channelpush.push.bus.BusMessage.MemberChange.Change;
import io.channelpush.push.presence.EventScope;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * This node's share of presence events ({@link MemberEvents}): its connections counted per (group, user) in scope,
 * and the announcements of each (group, user) it gains or loses, queued in order for the publisher thread. The queue
 * holds {@value MemberEvents#QUEUE} announcements; when it is full they are dropped and a whole re-announcement is
 * wanted instead ({@link #syncWanted}), which {@link #startSync} begins with a snapshot of the counts.
 *
 * <p>Thread-safe. The counts, each session's {@code presenceUid}/{@code presenceGroups} and the queue's order are
 * kept under this object's lock, taken last (under it only the queue's own lock is taken): a snapshot taken by
 * {@link #startSync} holds exactly the announcements it drops from the queue. Wake-ups and the sync flag need no lock.
 */
final class LocalShares {
    /** Wakes the publisher thread without an announcement. */
    private static final Object WAKE = new Object();

    /** A (group, user) pair. */
    record Pair(String group, String uid) {
    }

    private final String workerId;
    private final EventScope scope;
    private final RateLimitedLog trouble;
    private final Map<Pair, Integer> local = new HashMap<>(); // guarded by this
    private final ArrayBlockingQueue<Object> out = new ArrayBlockingQueue<>(MemberEvents.QUEUE + 1);
    private volatile boolean syncWanted;

    /** @param trouble where a full queue is logged (shared with {@link MemberEvents}'s other troubles) */
    LocalShares(String workerId, EventScope scope, RateLimitedLog trouble) {
        this.workerId = workerId;
        this.scope = scope;
        this.trouble = trouble;
    }

    /** After any change of {@code s}'s user or groups: counts its (group, user) pairs in scope (any thread). */
    void update(PushSession s) {
        // read under the lock: of two concurrent updates of a session, the later one then sees both changes
        synchronized (this) {
            String uid = s.uid;
            Set<String> now = uid == null ? Set.of() : inScope(s.groups());
            String was = s.presenceUid;
            Set<String> had = s.presenceGroups;
            boolean same = Objects.equals(uid, was);
            if (same && now.equals(had)) {
                return;
            }
            for (String g : had) {
                if (!same || !now.contains(g)) {
                    count(g, was, -1);
                }
            }
            for (String g : now) {
                if (!same || !had.contains(g)) {
                    count(g, uid, 1);
                }
            }
            s.presenceUid = now.isEmpty() ? null : uid;
            s.presenceGroups = now;
        }
    }

    private Set<String> inScope(Set<String> sessionGroups) {
        List<String> in = new ArrayList<>();
        for (String g : sessionGroups) {
            if (scope.covers(g)) {
                in.add(g);
            }
        }
        return Set.copyOf(in);
    }

    /** Under the lock. */
    private void count(String group, String uid, int delta) {
        Pair p = new Pair(group, uid);
        int n = local.merge(p, delta, Integer::sum);
        if (n == 0) {
            local.remove(p);
            enqueue(new BusMessage.MemberChange(workerId, Change.LEAVE, group, uid));
        } else if (n == 1 && delta > 0) {
            enqueue(new BusMessage.MemberChange(workerId, Change.JOIN, group, uid));
        }
    }

    private void enqueue(Object m) {
        if (!out.offer(m)) {
            out.clear();
            syncWanted = true;
            out.offer(WAKE);
            trouble.log(() -> "worker " + workerId + ": " + MemberEvents.QUEUE + " presence announcements wait for "
                    + "the bus; dropped, all of this node's presence is re-announced instead");
        }
    }

    /** Wakes the publisher thread (it has other work than the queue). */
    void wake() {
        out.offer(WAKE);
    }

    /** Asks for a whole re-announcement; the publisher thread makes it on its next round. */
    void wantSync() {
        syncWanted = true;
    }

    boolean syncWanted() {
        return syncWanted;
    }

    /**
     * The next announcement, waiting at most {@code millis}.
     *
     * @return null after the wait, or when woken without one
     */
    BusMessage poll(long millis) throws InterruptedException {
        return out.poll(millis, TimeUnit.MILLISECONDS) instanceof BusMessage b ? b : null;
    }

    /** Begins a re-announcement: what waits in the queue is in the snapshot of the counts, so it is dropped. */
    synchronized List<Pair> startSync() {
        syncWanted = false;
        out.clear();
        return new ArrayList<>(local.keySet());
    }

    /** (group, user) pairs this node counts for itself. */
    synchronized int pairs() {
        return local.size();
    }
}
