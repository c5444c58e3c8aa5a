package io.channelpush.channel.daemon;

import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * One named work queue: items waiting for a watcher, the watchers, and those of them ready for an item (in the
 * order they became ready, so items are spread round robin). Confined to the event-loop thread.
 */
final class WorkQueue {
    final String name;
    /** Encoded {@code job} frames, oldest first; their bytes are counted in the daemon's memory budget. */
    final ArrayDeque<byte[]> items = new ArrayDeque<>();
    final Set<Connection> watchers = new HashSet<>();
    private final LinkedHashSet<Connection> ready = new LinkedHashSet<>();

    WorkQueue(String name) {
        this.name = name;
    }

    void markReady(Connection c) {
        ready.add(c);
    }

    void unmarkReady(Connection c) {
        ready.remove(c);
    }

    /** Removes and returns the longest-waiting ready watcher, or null. */
    Connection takeReady() {
        Iterator<Connection> it = ready.iterator();
        if (!it.hasNext()) {
            return null;
        }
        Connection c = it.next();
        it.remove();
        return c;
    }

    boolean unused() {
        return items.isEmpty() && watchers.isEmpty();
    }
}
