package io.channelpush.push.presence;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The cluster's view of who is in which group, for presence events: for each (group, user) the nodes that have at
 * least one connection of the user in the group, from the nodes' announcements. A (group, user) reaching its first
 * node is a {@code join}, losing its last node a {@code leave}: once per user, however many connections (tabs) it
 * has on however many nodes. A node's shares go away with it ({@link #nodeGone}: its departure, or its heartbeats
 * lapsing) and are replaced wholesale by a re-announcement ({@link #syncStarted}, {@link #joined} for each share,
 * {@link #syncEnded}: the shares not re-announced are left), so that a node that missed announcements (cut off
 * from the bus, announcements dropped on overflow) is brought back to the truth with only the differences as events.
 *
 * <p>Bound: at most {@code maxPairs} (group, user) pairs; a pair beyond it is not tracked (no events for it) and
 * counted in {@link #refused()}. Each node's announcements must arrive in the order it sent them (both buses keep a
 * publisher's order on one channel); announcements of different nodes may interleave differently on different
 * nodes (neither bus orders publishers against each other), so a user whose last connection on one node leaves
 * while its first on another is being announced may be seen to leave and join again on some nodes.
 *
 * <p>Thread-safe: every method holds this object's lock, and the listener is called under it (it must not block).
 */
public final class PresenceCounts {
    /** Told of each transition; called under the lock, must not block. */
    public interface Listener {
        void event(String group, String uid, boolean join);
    }

    private record Pair(String group, String uid) {
    }

    /** A tracked pair (the one instance the nodes' sets share) and how many nodes have it. */
    private static final class Count {
        final Pair pair;
        int nodes;

        Count(Pair pair) {
            this.pair = pair;
        }
    }

    /** Pair to the number of nodes with it; a pair without nodes has no entry. */
    private final Map<Pair, Count> nodesWith = new HashMap<>();
    /** Node to its shares (confirmed, when it is re-announcing). */
    private final Map<String, Set<Pair>> byNode = new HashMap<>();
    /** Node re-announcing its shares to the shares it has not re-announced yet (disjoint from {@link #byNode}). */
    private final Map<String, Set<Pair>> unconfirmed = new HashMap<>();
    private final int maxPairs;
    private final Listener listener;
    private long refused;

    public PresenceCounts(int maxPairs, Listener listener) {
        this.maxPairs = maxPairs;
        this.listener = listener;
    }

    /** Node {@code node} has (now, or still when it re-announces) a connection of {@code uid} in {@code group}. */
    public synchronized void joined(String node, String group, String uid) {
        Pair p = new Pair(group, uid);
        Set<Pair> waiting = unconfirmed.get(node);
        if (waiting != null && waiting.remove(p)) {
            byNode.computeIfAbsent(node, k -> new HashSet<>()).add(p);
            return;
        }
        Set<Pair> mine = byNode.get(node);
        if (mine != null && mine.contains(p)) {
            return;
        }
        Count c = nodesWith.get(p);
        if (c == null) {
            if (nodesWith.size() >= maxPairs) {
                refused++;
                return;
            }
            c = new Count(p);
            nodesWith.put(p, c);
        }
        byNode.computeIfAbsent(node, k -> new HashSet<>()).add(c.pair);
        if (c.nodes++ == 0) {
            listener.event(group, uid, true);
        }
    }

    /** Node {@code node} has no connection of {@code uid} in {@code group} any more. */
    public synchronized void left(String node, String group, String uid) {
        Pair p = new Pair(group, uid);
        if (remove(byNode, node, p) || remove(unconfirmed, node, p)) {
            drop(p);
        }
    }

    /** Node {@code node} starts re-announcing all its shares. */
    public synchronized void syncStarted(String node) {
        Set<Pair> old = byNode.remove(node);
        Set<Pair> waiting = unconfirmed.computeIfAbsent(node, k -> new HashSet<>());
        if (old != null) {
            waiting.addAll(old);
        }
    }

    /** Node {@code node} re-announced all its shares: those it did not are gone. */
    public synchronized void syncEnded(String node) {
        Set<Pair> gone = unconfirmed.remove(node);
        if (gone != null) {
            gone.forEach(this::drop);
        }
    }

    /** Node {@code node} stopped or stopped being heard: all its shares are gone. */
    public synchronized void nodeGone(String node) {
        Set<Pair> a = byNode.remove(node);
        Set<Pair> b = unconfirmed.remove(node);
        if (a != null) {
            a.forEach(this::drop);
        }
        if (b != null) {
            b.forEach(this::drop);
        }
    }

    /** The nodes with shares now. */
    public synchronized Set<String> nodes() {
        Set<String> out = new HashSet<>(byNode.keySet());
        out.addAll(unconfirmed.keySet());
        return out;
    }

    /** How many nodes have a connection of {@code uid} in {@code group}, as far as this node heard. */
    public synchronized int nodesWith(String group, String uid) {
        Count c = nodesWith.get(new Pair(group, uid));
        return c == null ? 0 : c.nodes;
    }

    /** (group, user) pairs tracked now. */
    public synchronized int pairs() {
        return nodesWith.size();
    }

    /** Pairs not tracked because {@code maxPairs} were tracked already, since the start. */
    public synchronized long refused() {
        return refused;
    }

    private static boolean remove(Map<String, Set<Pair>> m, String node, Pair p) {
        Set<Pair> s = m.get(node);
        if (s == null || !s.remove(p)) {
            return false;
        }
        if (s.isEmpty()) {
            m.remove(node);
        }
        return true;
    }

    private void drop(Pair p) {
        Count c = nodesWith.get(p);
        if (c != null && --c.nodes == 0) {
            nodesWith.remove(p);
            listener.event(p.group(), p.uid(), false);
        }
    }
}
