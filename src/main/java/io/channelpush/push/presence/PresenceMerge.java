package io.channelpush.push.presence;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Merges the nodes' answers to one {@link PresenceQuestion} into the publisher's JSON answer. Each node answers from
 * its own connections (see {@code LocalPresence}); a user connected to several nodes is counted once in
 * {@code users} and once per connection in {@code connections}. Group pages: each node sends its first
 * {@code limit} user ids after the cursor, sorted; the first {@code limit} of their sorted union are then exact
 * (a node that cut its list before an id sent {@code limit} ids before it), and {@code next} is the last id of the
 * page when any node had more. Every answer carries {@code nodes} (how many answered) and {@code partial}, with
 * {@code missing} (the worker ids of members that did not answer in time). Stateless.
 */
public final class PresenceMerge {
    private PresenceMerge() {
    }

    /** The JSON answer for {@code q} from the answers gathered. An answer that is not valid JSON is skipped. */
    public static String merge(PresenceQuestion q, ScatterGather.Result r) {
        JsonObject out = new JsonObject();
        List<JsonObject> answers = r.answers().values().stream().map(PresenceMerge::parse)
                .filter(o -> o != null).toList();
        switch (q.kind()) {
            case TOTALS -> totals(answers, out);
            case GROUP -> group(q, answers, out);
            case ONLINE -> online(q, answers, out);
            case USER_GROUPS -> userGroups(q, answers, out);
            case USER_GROUP_TABLE -> throw new IllegalArgumentException("a user-group table page is read as it "
                    + "comes, from one node; it is not merged");
        }
        out.addProperty("nodes", answers.size());
        out.addProperty("partial", r.partial());
        if (r.partial()) {
            JsonArray m = new JsonArray();
            r.missing().forEach(m::add);
            out.add("missing", m);
        }
        return out.toString();
    }

    private static JsonObject parse(String s) {
        try {
            JsonElement e = JsonParser.parseString(s);
            return e.isJsonObject() ? e.getAsJsonObject() : null;
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static void totals(List<JsonObject> answers, JsonObject out) {
        long connections = 0;
        long usersSum = 0;
        boolean exact = true;
        Set<Long> hashes = new HashSet<>();
        for (JsonObject a : answers) {
            connections += a.get("connections").getAsLong();
            usersSum += a.get("users").getAsLong();
            JsonArray h = a.getAsJsonArray("user_hashes");
            if (h == null) {
                exact = false;
            } else {
                h.forEach(e -> hashes.add(e.getAsLong()));
            }
        }
        out.addProperty("connections", connections);
        out.addProperty("users", exact ? hashes.size() : usersSum);
        if (!exact) {
            // a node with too many users to list sent its count: a user on two nodes is counted twice
            out.addProperty("users_at_most", true);
        }
    }

    private static void group(PresenceQuestion q, List<JsonObject> answers, JsonObject out) {
        long anonymous = 0;
        boolean more = false;
        TreeMap<String, Long> members = new TreeMap<>();
        for (JsonObject a : answers) {
            anonymous += a.get("anonymous").getAsLong();
            more |= a.get("more").getAsBoolean();
            for (Map.Entry<String, JsonElement> e : a.getAsJsonObject("members").entrySet()) {
                members.merge(e.getKey(), e.getValue().getAsLong(), Long::sum);
            }
        }
        JsonArray page = new JsonArray();
        String last = null;
        int n = 0;
        for (Map.Entry<String, Long> e : members.entrySet()) {
            if (n == q.limit()) {
                more = true;
                break;
            }
            JsonObject m = new JsonObject();
            m.addProperty("uid", e.getKey());
            m.addProperty("connections", e.getValue());
            page.add(m);
            last = e.getKey();
            n++;
        }
        out.addProperty("group_id", q.group());
        out.add("members", page);
        out.addProperty("anonymous", anonymous);
        if (more && last != null) {
            out.addProperty("next", last);
        }
    }

    private static void online(PresenceQuestion q, List<JsonObject> answers, JsonObject out) {
        TreeMap<String, Long> counts = new TreeMap<>();
        q.uids().forEach(u -> counts.put(u, 0L));
        for (JsonObject a : answers) {
            for (Map.Entry<String, JsonElement> e : a.getAsJsonObject("members").entrySet()) {
                if (counts.containsKey(e.getKey())) {
                    counts.merge(e.getKey(), e.getValue().getAsLong(), Long::sum);
                }
            }
        }
        JsonObject online = new JsonObject();
        JsonObject connections = new JsonObject();
        counts.forEach((u, c) -> {
            online.addProperty(u, c > 0);
            connections.addProperty(u, c);
        });
        out.add("online", online);
        out.add("connections", connections);
    }

    private static void userGroups(PresenceQuestion q, List<JsonObject> answers, JsonObject out) {
        TreeSet<String> groups = new TreeSet<>();
        for (JsonObject a : answers) {
            a.getAsJsonArray("groups").forEach(e -> groups.add(e.getAsString()));
        }
        JsonArray g = new JsonArray();
        groups.forEach(g::add);
        out.addProperty("uid", q.uids().get(0));
        out.add("groups", g);
    }
}
