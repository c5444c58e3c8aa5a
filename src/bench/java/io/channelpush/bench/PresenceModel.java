package io.channelpush.bench;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the publisher's presence answers must say after the presence phase's set-up, and the check of each answer:
 * client i belongs to user {@code bench-u<i/2>} and is in group {@code presence-<(i/2) mod groups>}, and, when the
 * groups phase ran, in {@code bench-<i mod socketGroups>}. An answer that differs in any figure, member, or is partial
 * fails the phase, so that no latency is reported for wrong answers. Immutable.
 */
final class PresenceModel {
    private final int clients;
    private final int groups;
    private final int socketGroups;
    private final int nodes;

    /**
     * @param socketGroups groups of the groups phase the clients are also in, 0 when it did not run
     * @param nodes nodes that must have answered
     */
    PresenceModel(int clients, int groups, int socketGroups, int nodes) {
        this.clients = clients;
        this.groups = groups;
        this.socketGroups = socketGroups;
        this.nodes = nodes;
    }

    int users() {
        return (clients + 1) / 2;
    }

    static String uid(int user) {
        return "bench-u" + user;
    }

    /** The presence group of client {@code i}. */
    String group(int client) {
        return "presence-" + (client / 2) % groups;
    }

    /** Connections of user {@code k}: 2, or 1 for the last user of an odd count, 0 past the last. */
    int connections(int user) {
        return user >= users() ? 0 : 2 * user + 1 < clients ? 2 : 1;
    }

    /** Whether a {@code presence=1} answer shows every connection and user (the set-up waits for that). */
    boolean totalsRight(String answer) {
        JsonObject a = JsonParser.parseString(answer).getAsJsonObject();
        return a.get("connections").getAsLong() == clients && a.get("users").getAsLong() == users()
                && !a.has("users_at_most") && complete(a);
    }

    void checkTotals(String answer) {
        require(totalsRight(answer), "presence=1", answer);
    }

    void checkGroup(int g, String answer) {
        JsonObject a = JsonParser.parseString(answer).getAsJsonObject();
        JsonArray expected = new JsonArray();
        List<String> ids = new ArrayList<>();
        for (int k = g; k < users(); k += groups) {
            ids.add(uid(k));
        }
        ids.sort(null);
        for (String id : ids) {
            JsonObject m = new JsonObject();
            m.addProperty("uid", id);
            m.addProperty("connections", connections(Integer.parseInt(id.substring("bench-u".length()))));
            expected.add(m);
        }
        require(complete(a) && a.get("group_id").getAsString().equals("presence-" + g)
                && a.get("anonymous").getAsLong() == 0 && !a.has("next") && a.get("members").equals(expected),
                "group_members=presence-" + g, answer);
    }

    void checkOnline(int[] users, String answer) {
        JsonObject a = JsonParser.parseString(answer).getAsJsonObject();
        boolean right = complete(a) && a.getAsJsonObject("online").size() == new TreeSet<>(ids(users)).size();
        for (int k : users) {
            JsonElement online = a.getAsJsonObject("online").get(uid(k));
            JsonElement count = a.getAsJsonObject("connections").get(uid(k));
            right &= online != null && count != null && online.getAsBoolean() == connections(k) > 0
                    && count.getAsLong() == connections(k);
        }
        require(right, "online=" + String.join(",", ids(users)), answer);
    }

    void checkUserGroups(int user, String answer) {
        JsonObject a = JsonParser.parseString(answer).getAsJsonObject();
        Set<String> expected = new TreeSet<>();
        for (int i = 2 * user; i < Math.min(clients, 2 * user + 2); i++) {
            expected.add(group(i));
            if (socketGroups > 0) {
                expected.add("bench-" + i % socketGroups);
            }
        }
        Set<String> got = new TreeSet<>();
        a.getAsJsonArray("groups").forEach(e -> got.add(e.getAsString()));
        require(complete(a) && a.get("uid").getAsString().equals(uid(user)) && got.equals(expected)
                && got.size() == a.getAsJsonArray("groups").size(), "user_groups=" + uid(user), answer);
    }

    static List<String> ids(int[] users) {
        List<String> ids = new ArrayList<>();
        for (int k : users) {
            ids.add(uid(k));
        }
        return ids;
    }

    private boolean complete(JsonObject a) {
        return !a.get("partial").getAsBoolean() && a.get("nodes").getAsInt() == nodes;
    }

    private static void require(boolean right, String query, String answer) {
        if (!right) {
            throw new IllegalStateException("wrong answer to " + query + ": " + answer);
        }
    }
}
