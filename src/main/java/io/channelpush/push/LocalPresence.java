package io.channelpush.push;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.channelpush.push.presence.PresenceQuestion;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * This node's answer to a {@link PresenceQuestion}, from its own connections, as the JSON object
 * {@link io.channelpush.push.presence.PresenceMerge} merges. Totals list the node's users as 64-bit hashes (first
 * 8 bytes of SHA-256) so that the asker can count a user on several nodes once; above {@value #MAX_HASHES} users
 * the node sends only its count (the answer must stay under the bus's message limit). A page of the users' groups
 * ({@link UserGroupTable}) is answered only to a question addressed to this node. Reads the registries without
 * locks: an answer is a snapshot taken while connections come and go. Thread-safe.
 */
final class LocalPresence {
    /** Most user hashes in one answer: about 21 bytes each, so 40,000 stay under the bus's 1 MB. */
    static final int MAX_HASHES = 40_000;

    private final String workerId;
    private final ConnectionRegistry connections;
    private final UserRegistry users;
    private final GroupRegistry groups;

    LocalPresence(String workerId, ConnectionRegistry connections, UserRegistry users, GroupRegistry groups) {
        this.workerId = workerId;
        this.connections = connections;
        this.users = users;
        this.groups = groups;
    }

    /**
     * The answer to an encoded question; a question this version cannot read is answered {@code {}}, one addressed
     * to another node is not answered (null).
     */
    String answer(String encoded) {
        PresenceQuestion q;
        try {
            q = PresenceQuestion.decode(encoded);
        } catch (IllegalArgumentException e) {
            return "{}";
        }
        if (!q.isFor(workerId)) {
            return null;
        }
        if (q.kind() == PresenceQuestion.Kind.USER_GROUP_TABLE) {
            return UserGroupTable.page(users.usersWithGroups(q.after(), UserGroupTable.MAX_PAGE_USERS), q.limit(), users.groupsComplete()).encode();
        }
        JsonObject o = new JsonObject();
        switch (q.kind()) {
            case TOTALS -> totals(o);
            case GROUP -> group(q, o);
            case ONLINE -> online(q, o);
            case USER_GROUPS -> userGroups(q, o);
            case USER_GROUP_TABLE -> throw new IllegalStateException("answered above");
        }
        return o.toString();
    }

    private void totals(JsonObject o) {
        long[] online = users.onlineHashes();
        o.addProperty("connections", connections.size());
        o.addProperty("users", online.length);
        if (online.length <= MAX_HASHES) {
            JsonArray h = new JsonArray(online.length);
            for (long u : online) {
                h.add(u);
            }
            o.add("user_hashes", h);
        }
    }

    private void group(PresenceQuestion q, JsonObject o) {
        long anonymous = 0;
        Map<String, Integer> byUser = new HashMap<>();
        for (PushSession s : groups.members(q.group())) {
            String uid = s.uid;
            if (uid == null) {
                anonymous++;
            } else if (uid.compareTo(q.after()) > 0) {
                byUser.merge(uid, 1, Integer::sum);
            }
        }
        TreeMap<String, Integer> sorted = new TreeMap<>(byUser);
        JsonObject m = new JsonObject();
        int n = 0;
        for (Map.Entry<String, Integer> e : sorted.entrySet()) {
            if (n++ == q.limit()) {
                break;
            }
            m.addProperty(e.getKey(), e.getValue());
        }
        o.addProperty("anonymous", anonymous);
        o.add("members", m);
        o.addProperty("more", sorted.size() > q.limit());
    }

    private void online(PresenceQuestion q, JsonObject o) {
        JsonObject m = new JsonObject();
        for (String uid : q.uids()) {
            int n = users.connections(uid).size();
            if (n > 0) {
                m.addProperty(uid, n);
            }
        }
        o.add("members", m);
    }

    private void userGroups(PresenceQuestion q, JsonObject o) {
        TreeSet<String> in = new TreeSet<>();
        for (PushSession s : users.connections(q.uids().get(0))) {
            in.addAll(s.groups());
        }
        JsonArray g = new JsonArray();
        in.forEach(g::add);
        o.add("groups", g);
    }

    static long hash(String uid) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(uid.getBytes(StandardCharsets.UTF_8));
            long h = 0;
            for (int i = 0; i < 8; i++) {
                h = h << 8 | (d[i] & 0xff);
            }
            return h;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }
}
