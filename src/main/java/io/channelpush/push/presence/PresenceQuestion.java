package io.channelpush.push.presence;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.util.ArrayList;
import java.util.List;

/**
 * One presence question, as it travels to every node (a JSON object, {@link #encode}/{@link #decode}): the cluster's
 * totals, the members of a group (one page: user ids after {@code after}, at most {@code limit}), which of some
 * users are online, the groups of a user, or (to one node, {@code node}) a page of the groups given to users
 * through the publisher, which a node that joins the cluster copies. Immutable.
 *
 * @param group the group ({@link Kind#GROUP}), else null
 * @param after the page starts after this user id ({@link Kind#GROUP}, {@link Kind#USER_GROUP_TABLE}; empty for
 *     the first page)
 * @param limit most user ids in the page ({@link Kind#GROUP}); most bytes in the page
 *     ({@link Kind#USER_GROUP_TABLE})
 * @param uids the users asked about ({@link Kind#ONLINE}: several; {@link Kind#USER_GROUPS}: one)
 * @param node the one node that answers ({@link Kind#USER_GROUP_TABLE}), else null: every node answers
 */
public record PresenceQuestion(Kind kind, String group, String after, int limit, List<String> uids, String node) {
    /** What is asked. */
    public enum Kind {
        TOTALS, GROUP, ONLINE, USER_GROUPS, USER_GROUP_TABLE
    }

    public PresenceQuestion {
        uids = List.copyOf(uids);
        after = after == null ? "" : after;
    }

    public PresenceQuestion(Kind kind, String group, String after, int limit, List<String> uids) {
        this(kind, group, after, limit, uids, null);
    }

    public static PresenceQuestion totals() {
        return new PresenceQuestion(Kind.TOTALS, null, "", 0, List.of());
    }

    public static PresenceQuestion group(String group, String after, int limit) {
        return new PresenceQuestion(Kind.GROUP, group, after, limit, List.of());
    }

    public static PresenceQuestion online(List<String> uids) {
        return new PresenceQuestion(Kind.ONLINE, null, "", 0, uids);
    }

    public static PresenceQuestion userGroups(String uid) {
        return new PresenceQuestion(Kind.USER_GROUPS, null, "", 0, List.of(uid));
    }

    /** To {@code node} only: the users' groups after user id {@code after}, in a page of at most {@code maxBytes}. */
    public static PresenceQuestion userGroupTable(String node, String after, int maxBytes) {
        return new PresenceQuestion(Kind.USER_GROUP_TABLE, null, after, maxBytes, List.of(), node);
    }

    /** Whether node {@code workerId} answers this question (every node does, unless it is addressed to one). */
    public boolean isFor(String workerId) {
        return node == null || node.equals(workerId);
    }

    public String encode() {
        JsonObject o = new JsonObject();
        o.addProperty("kind", kind.name());
        if (group != null) {
            o.addProperty("group", group);
        }
        o.addProperty("after", after);
        o.addProperty("limit", limit);
        JsonArray a = new JsonArray();
        uids.forEach(a::add);
        o.add("uids", a);
        if (node != null) {
            o.addProperty("node", node);
        }
        return o.toString();
    }

    /** @throws IllegalArgumentException when {@code json} is not a question of this version */
    public static PresenceQuestion decode(String json) {
        try {
            JsonObject o = JsonParser.parseString(json).getAsJsonObject();
            List<String> uids = new ArrayList<>();
            for (JsonElement e : o.getAsJsonArray("uids")) {
                uids.add(e.getAsString());
            }
            JsonElement g = o.get("group");
            JsonElement n = o.get("node");
            return new PresenceQuestion(Kind.valueOf(o.get("kind").getAsString()), g == null ? null : g.getAsString(),
                    o.get("after").getAsString(), o.get("limit").getAsInt(), uids, n == null ? null : n.getAsString());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not a presence question: " + e.getMessage(), e);
        }
    }
}
