package io.channelpush.push;

import com.google.gson.JsonObject;
import io.channelpush.channel.log.RateLimitedLog;
import io.channelpush.push.bus.BusMessage;
import io.channelpush.push.bus.BusMessage.MemberChange.Change;
import io.channelpush.push.presence.EventScope;
import io.channelpush.push.presence.Presence;
import io.channelpush.push.presence.PresenceCounts;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Presence events ({@code channelpush.presence-events}): {@code {"type":"join"|"leave","group":G,"uid":U}} to the
 * JSON members of a group when a user's first connection in the cluster joins it or its last one leaves.
 *
 * <p>This node's part: it counts its own connections per (group, user) ({@link #update}, after any change of a
 * session's user or groups) and announces on the bus each (group, user) it gains or loses; every node, this one
 * included, feeds what it hears into its {@link PresenceCounts}, which turns the nodes' shares into once-per-user
 * events for this node's members. A node that stops announces its departure, one that dies stops being heard: its
 * shares go with it (checked every heartbeat). A node heard for the first time, or again after it stopped being
 * heard, is asked to re-announce all its shares ({@link BusMessage.Resync}); so is every node by one that
 * reconnects to the bus, which hears them anew. This node's counts and its announcements, queued for its publisher
 * thread, are its {@link LocalShares}.
 *
 * <p>Thread-safety: the local counts and the queue's order are kept under {@link LocalShares}' lock; bus messages
 * arrive on the bus thread; the publisher thread publishes and sweeps; the nodes heard are concurrent sets. Owns one
 * thread; {@link #close} is idempotent and joins it for at most a second.
 */
final class MemberEvents implements AutoCloseable {
    /** Announcements waiting for the bus; beyond, the node re-announces everything instead. */
    static final int QUEUE = 10_000;
    /** (group, user) pairs of the cluster one node tracks; beyond, a new pair has no events (logged). */
    static final int MAX_PAIRS = 200_000;

    private static final Logger LOG = Logger.getLogger(MemberEvents.class.getName());

    private final String workerId;
    private final EventScope scope;
    private final GroupRegistry groups;
    private final Presence presence;
    private final Consumer<BusMessage> publish;
    private final long heartbeatMillis;
    private final PresenceCounts counts;
    private final RateLimitedLog trouble = new RateLimitedLog(LOG, Level.WARNING);
    private final LocalShares shares;
    /** Nodes heard since they were last found gone: one not in it is asked to re-announce. */
    private final Set<String> known = ConcurrentHashMap.newKeySet();
    /** Nodes to ask for a re-announcement (kept apart from the queue, which a re-announcement clears). */
    private final Set<String> resyncs = ConcurrentHashMap.newKeySet();
    /** Re-announcements sent whole. */
    private final java.util.concurrent.atomic.AtomicLong syncs = new java.util.concurrent.atomic.AtomicLong();
    private volatile boolean running = true;
    private final Thread thread;

    /**
     * @param publish publishes a bus message, may block and may throw when the bus refuses it
     * @param threadDied told when the publisher thread dies of an error
     */
    MemberEvents(String workerId, EventScope scope, GroupRegistry groups, Presence presence,
                 Consumer<BusMessage> publish, int heartbeatMillis, BiConsumer<Thread, Throwable> threadDied) {
        this.workerId = workerId;
        this.scope = scope;
        this.groups = groups;
        this.presence = presence;
        this.publish = publish;
        this.heartbeatMillis = heartbeatMillis;
        this.counts = new PresenceCounts(MAX_PAIRS, this::deliver);
        this.shares = new LocalShares(workerId, scope, trouble);
        this.thread = new Thread(() -> {
            try {
                run();
            } catch (Error e) {
                threadDied.accept(Thread.currentThread(), e);
                throw e;
            }
        }, "presence-events-" + workerId);
        thread.setDaemon(true);
        thread.start();
    }

    /** After any change of {@code s}'s user or groups: counts its (group, user) pairs in scope (any thread). */
    void update(PushSession s) {
        shares.update(s);
    }

    // ---- from the bus (bus thread)

    /** A heartbeat or a departure. */
    void heard(BusMessage.NodeBeat b) {
        if (b.leaving()) {
            known.remove(b.workerId());
            counts.nodeGone(b.workerId());
        } else {
            alive(b.workerId());
        }
    }

    /** A node's share, or its re-announcement's start or end. */
    void heard(BusMessage.MemberChange c) {
        // an announcement proves its node alive: its shares must not be swept before its first heartbeat arrives
        presence.heard(new BusMessage.NodeBeat(c.workerId(), false));
        alive(c.workerId());
        switch (c.change()) {
            case JOIN -> {
                if (scope.covers(c.groupId())) {
                    counts.joined(c.workerId(), c.groupId(), c.uid());
                }
            }
            case LEAVE -> counts.left(c.workerId(), c.groupId(), c.uid());
            case SYNC -> counts.syncStarted(c.workerId());
            case SYNCED -> counts.syncEnded(c.workerId());
        }
    }

    /** A request to re-announce: this node's when it names this node. */
    void heard(BusMessage.Resync r) {
        alive(r.workerId());
        if (r.target().equals(workerId)) {
            shares.wantSync();
            shares.wake();
        }
    }

    private void alive(String node) {
        if (known.add(node)) {
            resyncs.add(node);
            shares.wake();
        }
    }

    /** An event from the counts: to this node's JSON members of the group (never blocks). */
    private void deliver(String group, String uid, boolean join) {
        Set<PushSession> members = groups.members(group);
        if (members.isEmpty()) {
            return;
        }
        JsonObject o = new JsonObject();
        o.addProperty("type", join ? "join" : "leave");
        o.addProperty("group", group);
        o.addProperty("uid", uid);
        String frame = o.toString();
        for (PushSession s : members) {
            if (s.json) {
                s.send(frame);
            }
        }
    }

    // ---- the publisher thread

    private void run() {
        long nextSweep = System.nanoTime();
        while (running) {
            try {
                BusMessage m = shares.poll(heartbeatMillis);
                if (m != null) {
                    send(m);
                }
                for (String node : List.copyOf(resyncs)) {
                    resyncs.remove(node);
                    if (!send(new BusMessage.Resync(workerId, node))) {
                        // asked again when heard again
                        known.remove(node);
                    }
                }
                if (shares.syncWanted()) {
                    sync();
                }
                if (System.nanoTime() - nextSweep >= 0) {
                    nextSweep = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(heartbeatMillis);
                    sweep();
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                // a bug must not end the announcements for good: what was lost is re-announced
                shares.wantSync();
                trouble.log(() -> "worker " + workerId + ": presence events: " + e
                        + "; all of this node's presence is re-announced");
            }
        }
    }

    private boolean send(BusMessage m) {
        try {
            publish.accept(m);
            return true;
        } catch (RuntimeException e) {
            // the others stop hearing this node and drop its shares; it re-announces them once it is back
            shares.wantSync();
            trouble.log(() -> "worker " + workerId + ": presence announcement not sent (" + e.getMessage()
                    + "); all of this node's presence is re-announced when the bus takes messages again");
            return false;
        }
    }

    /** Re-announces every share: what waits in the queue is in the snapshot, so it is dropped. */
    private void sync() {
        List<LocalShares.Pair> snapshot = shares.startSync();
        if (!send(new BusMessage.MemberChange(workerId, Change.SYNC, null, null))) {
            return;
        }
        for (LocalShares.Pair p : snapshot) {
            if (!send(new BusMessage.MemberChange(workerId, Change.JOIN, p.group(), p.uid()))) {
                return;
            }
        }
        if (send(new BusMessage.MemberChange(workerId, Change.SYNCED, null, null))) {
            syncs.incrementAndGet();
        }
    }

    /** Re-announcements of this node's shares sent whole since the start. */
    long syncsSent() {
        return syncs.get();
    }

    /** Drops the shares of nodes no longer heard; they are asked to re-announce when heard again. */
    private void sweep() {
        Set<String> live = new HashSet<>(presence.members());
        known.retainAll(live);
        for (String node : counts.nodes()) {
            if (!live.contains(node)) {
                counts.nodeGone(node);
            }
        }
        if (counts.refused() > 0) {
            trouble.log(() -> "worker " + workerId + ": " + counts.refused() + " (group, user) pairs had no presence "
                    + "events: this node tracks at most " + MAX_PAIRS + "; narrow channelpush.presence-events");
        }
    }

    /** How many nodes have {@code uid} in {@code group}, as this node heard (for tests). */
    int nodesWith(String group, String uid) {
        return counts.nodesWith(group, uid);
    }

    /** (group, user) pairs this node tracks for the cluster, and its own. */
    int pairs() {
        return counts.pairs();
    }

    int localPairs() {
        return shares.pairs();
    }

    @Override
    public void close() {
        if (!running) {
            return;
        }
        running = false;
        thread.interrupt();
        try {
            thread.join(1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
