package io.channelpush.push;

import io.channelpush.channel.log.RateLimitedLog;
import io.channelpush.push.bus.BusMessage;
import java.util.Arrays;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The node's users: user id to this node's connections of that user, and the groups given to the user through the
 * publisher ({@code uid=U&add_group=G}), which every connection of the user joins, present and future, until they
 * are removed. A connection's user id comes from its token or from {@code bind_uid}.
 *
 * <p>Bounds: a user's connections are bounded by the node's connections, and a user without connections and
 * without groups has no entry. A user's groups are kept with or without connections (every node hears every
 * change, so a connection opened later on any node finds them): at most {@code maxGroupsPerUser} per user and
 * {@code maxUsersWithGroups} users. Beyond either bound the change is refused ({@link UserGroupChange}).
 *
 * <p>Thread-safety: every change of a user happens in its map entry's {@code compute}, so a bind, a close and a
 * group change of one user never interleave; a connection's own changes (bind, rebind, unbind, close) are also
 * serialized on the session. Lookups ({@link #connections}) read without locks.
 */
final class UserRegistry {
    /**
     * One user on this node. Changed only in the entry's {@code compute}; read without it. {@code groups} is an
     * immutable set replaced on each change (most users have none: no set of their own).
     */
    private static final class User {
        final Set<PushSession> sessions = ConcurrentHashMap.newKeySet();
        volatile Set<String> groups = Set.of();
        /** {@link LocalPresence#hash} of the id, computed once: a {@code presence=1} lists every online user's. */
        final long hash;

        User(String uid) {
            hash = LocalPresence.hash(uid);
        }
    }

    private static final Logger LOG = Logger.getLogger(UserRegistry.class.getName());

    private final ConcurrentHashMap<String, User> users = new ConcurrentHashMap<>();
    private final String workerId;
    /** Changes this node drops: a publisher can cause them. */
    private final RateLimitedLog refusals = new RateLimitedLog(LOG, Level.WARNING);
    private final GroupRegistry groups;
    private final int maxGroupsPerUser;
    private final int maxUsersWithGroups;
    /** Users whose group set is not empty; changed only inside a {@code compute}. */
    private final AtomicInteger withGroups = new AtomicInteger();
    /** Whether the users' groups are whole: copied from another node, or none to copy ({@link UserGroupSync}). */
    private volatile boolean groupsComplete;

    UserRegistry(String workerId, GroupRegistry groups, int maxGroupsPerUser, int maxUsersWithGroups) {
        this.workerId = workerId;
        this.groups = groups;
        this.maxGroupsPerUser = maxGroupsPerUser;
        this.maxUsersWithGroups = maxUsersWithGroups;
    }

    /** Applies a user's group change from the bus; one past the bounds is dropped and logged (rate-limited). */
    void apply(BusMessage.UserGroup ug) {
        if (!ug.join()) {
            removeGroup(ug.uid(), ug.groupId());
            return;
        }
        UserGroupChange c = addGroup(ug.uid(), ug.groupId());
        if (c != UserGroupChange.DONE) {
            refusals.log(() -> "worker " + workerId + ": group " + ug.groupId() + " not given to user " + ug.uid()
                    + " (" + c + "); raise " + (c == UserGroupChange.TOO_MANY_USERS
                    ? PushConfig.MAX_USERS_WITH_GROUPS : PushConfig.MAX_GROUPS_PER_CONNECTION)
                    + " or remove groups from users");
        }
    }

    /**
     * Applies a {@code bind_uid} or {@code unbind_uid} from the bus to {@code s}, its connection. A connection with
     * a token keeps its token's user (the change is logged, rate-limited, and dropped); an unbind for another user
     * than the connection's does nothing.
     */
    void apply(BusMessage.BindUid b, PushSession s) {
        if (s.identity != null) {
            refusals.log(() -> "worker " + workerId + ": connection " + b.connectionId() + " carries its token's "
                    + "user id; " + (b.bind() ? "bind_uid" : "unbind_uid") + " ignored");
        } else if (b.bind()) {
            bind(s, b.uid());
        } else if (b.uid().equals(s.uid)) {
            unbind(s);
        }
    }

    /**
     * Makes {@code s} a connection of {@code uid} (leaving its previous user, if any) and joins it to the user's
     * groups. A session closed meanwhile is unbound again, so a close racing a bind leaves nothing behind.
     */
    void bind(PushSession s, String uid) {
        synchronized (s) {
            String old = s.uid;
            if (uid.equals(old)) {
                return;
            }
            if (old != null) {
                detach(s, old);
            }
            s.uid = uid;
            users.compute(uid, (k, u) -> {
                User user = u == null ? new User(k) : u;
                user.sessions.add(s);
                for (String g : user.groups) {
                    groups.join(g, s);
                }
                return user;
            });
        }
        groups.changed(s);
        if (s.isClosed()) {
            unbind(s);
        }
    }

    /** Clears the user id of {@code s} (on close, or {@code unbind_uid}); it leaves the user's groups. */
    void unbind(PushSession s) {
        synchronized (s) {
            String old = s.uid;
            if (old != null) {
                s.uid = null;
                detach(s, old);
            }
        }
        groups.changed(s);
    }

    private void detach(PushSession s, String uid) {
        users.computeIfPresent(uid, (k, user) -> {
            user.sessions.remove(s);
            for (String g : user.groups) {
                groups.leave(g, s);
            }
            return user.sessions.isEmpty() && user.groups.isEmpty() ? null : user;
        });
    }

    /** Gives {@code uid} the group {@code group}: its connections here join it now, later ones when they bind. */
    UserGroupChange addGroup(String uid, String group) {
        UserGroupChange[] result = {UserGroupChange.DONE};
        users.compute(uid, (k, u) -> {
            User user = u == null ? new User(k) : u;
            if (!user.groups.contains(group)) {
                if (user.groups.size() >= maxGroupsPerUser) {
                    result[0] = UserGroupChange.TOO_MANY_GROUPS;
                } else if (user.groups.isEmpty() && withGroups.get() >= maxUsersWithGroups) {
                    result[0] = UserGroupChange.TOO_MANY_USERS;
                } else {
                    if (user.groups.isEmpty()) {
                        withGroups.incrementAndGet();
                    }
                    user.groups = with(user.groups, group);
                    for (PushSession s : user.sessions) {
                        groups.join(group, s);
                    }
                }
            }
            return user.sessions.isEmpty() && user.groups.isEmpty() ? null : user;
        });
        return result[0];
    }

    /** Takes {@code group} from {@code uid}: its connections here leave it (also if they joined it themselves). */
    void removeGroup(String uid, String group) {
        users.computeIfPresent(uid, (k, user) -> {
            if (user.groups.contains(group)) {
                user.groups = without(user.groups, group);
                if (user.groups.isEmpty()) {
                    withGroups.decrementAndGet();
                }
                for (PushSession s : user.sessions) {
                    groups.leave(group, s);
                }
            }
            return user.sessions.isEmpty() && user.groups.isEmpty() ? null : user;
        });
    }

    /**
     * Whether {@link #addGroup} would be refused for {@code uid} and {@code group}, judged on this node's state
     * (every node hears the same changes, so the publisher's node answers for the cluster).
     */
    UserGroupChange wouldAdd(String uid, String group) {
        User user = users.get(uid);
        Set<String> has = user == null ? Set.of() : user.groups;
        if (has.contains(group)) {
            return UserGroupChange.DONE;
        }
        if (has.size() >= maxGroupsPerUser) {
            return UserGroupChange.TOO_MANY_GROUPS;
        }
        return has.isEmpty() && withGroups.get() >= maxUsersWithGroups ? UserGroupChange.TOO_MANY_USERS : UserGroupChange.DONE;
    }

    /**
     * The users with groups whose id sorts after {@code after} (all of them when it is empty), with their groups: a
     * snapshot, in user id order.
     */
    SortedMap<String, Set<String>> usersWithGroups(String after) {
        return usersWithGroups(after, Integer.MAX_VALUE);
    }

    /**
     * As {@link #usersWithGroups(String)}, only the first {@code max}: a page of the table costs a scan of the users
     * but no more memory than the page, however many users there are.
     */
    SortedMap<String, Set<String>> usersWithGroups(String after, int max) {
        TreeMap<String, Set<String>> out = new TreeMap<>();
        users.forEach((uid, u) -> {
            Set<String> g = u.groups;
            if (!g.isEmpty() && uid.compareTo(after) > 0
                    && (out.size() < max || uid.compareTo(out.lastKey()) < 0)) {
                out.put(uid, g);
                if (out.size() > max) {
                    out.pollLastEntry();
                }
            }
        });
        return out;
    }

    /** Whether the users' groups are whole now (copied from another node, or none to copy from) or may lack changes. */
    void markGroupsComplete(boolean complete) {
        groupsComplete = complete;
    }

    /** Whether the users' groups are whole: a node that is still copying them is not copied from. */
    boolean groupsComplete() {
        return groupsComplete;
    }

    /** This node's connections of {@code uid} now (a live view; iterate, do not keep); empty when none. */
    Set<PushSession> connections(String uid) {
        User user = users.get(uid);
        return user == null ? Set.of() : user.sessions;
    }

    /** The groups given to {@code uid} (immutable). */
    Set<String> groupsOf(String uid) {
        User user = users.get(uid);
        return user == null ? Set.of() : user.groups;
    }

    private static Set<String> with(Set<String> groups, String group) {
        String[] a = groups.toArray(new String[groups.size() + 1]);
        a[groups.size()] = group;
        return Set.of(a);
    }

    private static Set<String> without(Set<String> groups, String group) {
        return Set.of(groups.stream().filter(g -> !g.equals(group)).toArray(String[]::new));
    }

    /** The {@link LocalPresence#hash}es of the users with connections on this node now (a snapshot). */
    long[] onlineHashes() {
        long[] out = new long[users.size() + 16];
        int n = 0;
        for (User u : users.values()) {
            if (!u.sessions.isEmpty()) {
                if (n == out.length) {
                    out = Arrays.copyOf(out, n * 2);
                }
                out[n++] = u.hash;
            }
        }
        return Arrays.copyOf(out, n);
    }

    /** Users with an entry here: with connections on this node, or with groups. */
    int userCount() {
        return users.size();
    }

    int usersWithGroups() {
        return withGroups.get();
    }
}
