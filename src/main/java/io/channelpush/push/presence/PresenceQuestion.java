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
 * users are online, or the groups of a user. Immutable.
 *
 * @param group the group ({@link Kind#GROUP}), else null
 * @param after the page starts after this user id ({@link Kind#GROUP}; empty for the first page)
 * @param limit most user ids in the page ({@link Kind#GROUP})
 * @param uids the users asked about ({@link Kind#ONLINE}: several; {@link Kind#USER_GROUPS}: one)
 */
public record PresenceQuestion(Kind kind, String group, String after, int limit, List<String> uids) {
    /** What is asked. */
    public enum Kind {
        TOTALS, GROUP, ONLINE, USER_GROUPS
    }

    public PresenceQuestion {
        uids = List.copyOf(uids);
        after = after == null ? "" : after;
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
            return new PresenceQuestion(Kind.valueOf(o.get("kind").getAsString()), g == null ? null : g.getAsString(),
                    o.get("after").getAsString(), o.get("limit").getAsInt(), uids);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not a presence question: " + e.getMessage(), e);
        }
    }
}
