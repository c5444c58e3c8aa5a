package io.channelpush.push;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The node's groups: group id to the local connections in it. A group exists only while it has members; the
 * last member leaving removes it, atomically, so the map never keeps empty groups. Thread-safe.
 */
final class GroupRegistry {
    private final ConcurrentHashMap<String, Set<PushSession>> groups = new ConcurrentHashMap<>();
    /** Told after a session's groups or user changed (presence events); set once, before any connection. */
    private volatile Consumer<PushSession> watcher = s -> { };

    void watch(Consumer<PushSession> w) {
        watcher = w;
    }

    /** After a change of {@code s}'s groups or user. */
    void changed(PushSession s) {
        watcher.accept(s);
    }

    void join(String group, PushSession s) {
        groups.compute(group, (k, members) -> {
            Set<PushSession> m = members == null ? ConcurrentHashMap.newKeySet() : members;
            m.add(s);
            return m;
        });
        s.joinedGroup(group);
        changed(s);
        if (s.isClosed()) {
            leave(group, s);
        }
    }

    void leave(String group, PushSession s) {
        s.leftGroup(group);
        groups.computeIfPresent(group, (k, members) -> {
            members.remove(s);
            return members.isEmpty() ? null : members;
        });
        changed(s);
    }

    void leaveAll(PushSession s) {
        for (String g : s.groups()) {
            leave(g, s);
        }
    }

    /** The members now (a live view; iterate, do not keep). */
    Set<PushSession> members(String group) {
        return groups.getOrDefault(group, Set.of());
    }

    int groupCount() {
        return groups.size();
    }
}
