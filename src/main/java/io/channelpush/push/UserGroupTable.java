package io.channelpush.push;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One page of the groups given to users through the publisher ({@code uid=U&add_group=G}), as a node answers a
 * {@link io.channelpush.push.presence.PresenceQuestion.Kind#USER_GROUP_TABLE} question and as a joining node
 * ({@link UserGroupSync}) reads it: {@code {"users":{"u1":["g1","g2"]},"more":true,"complete":true}}, users in id
 * order. {@code more}: users after the page's last one follow. {@code complete}: the answering node's own table is
 * whole (it copied it, or found no node to copy it from); a node that is still copying says false, and is not
 * copied from. A page holds at most {@code maxBytes} of JSON (one user more when its groups alone are larger, so
 * that paging always moves on); the answer travels as a string inside a bus message, whose escaping at most
 * doubles it, so {@link #MAX_PAGE_BYTES} keeps it under the bus's limit. Immutable.
 */
record UserGroupTable(SortedMap<String, Set<String>> users, boolean more, boolean complete) {
    /** Largest page a node answers, whatever it is asked for. */
    static final int MAX_PAGE_BYTES = 400_000;
    /** {@code {"users":{},"more":false,"complete":false}}, rounded up. */
    private static final int ENVELOPE_BYTES = 48;
    /**
     * More users than a page can hold: each takes at least 10 bytes ({@code "u":["g"],}), so a table cut to this many
     * still fills a page and says {@code more} when it was cut.
     */
    static final int MAX_PAGE_USERS = MAX_PAGE_BYTES / 10 + 1;

    UserGroupTable {
        users = Collections.unmodifiableSortedMap(new TreeMap<>(users));
    }

    /** The first users of {@code tail} (in id order) that fit in {@code maxBytes}, at least one. */
    static UserGroupTable page(SortedMap<String, Set<String>> tail, int maxBytes, boolean complete) {
        int budget = Math.max(1, Math.min(maxBytes, MAX_PAGE_BYTES));
        TreeMap<String, Set<String>> page = new TreeMap<>();
        int bytes = ENVELOPE_BYTES;
        for (Map.Entry<String, Set<String>> e : tail.entrySet()) {
            // "uid":[...], (user ids are ASCII)
            int size = e.getKey().length() + 4 + groupsJson(e.getValue()).getBytes(StandardCharsets.UTF_8).length;
            if (!page.isEmpty() && bytes + size > budget) {
                return new UserGroupTable(page, true, complete);
            }
            page.put(e.getKey(), e.getValue());
            bytes += size;
        }
        return new UserGroupTable(page, false, complete);
    }

    private static String groupsJson(Set<String> groups) {
        return groupsArray(groups).toString();
    }

    private static JsonArray groupsArray(Set<String> groups) {
        JsonArray a = new JsonArray();
        groups.stream().sorted().forEach(a::add);
        return a;
    }

    /** The last user id of the page, where the next page starts after; empty for an empty page. */
    String last() {
        return users.isEmpty() ? "" : users.lastKey();
    }

    String encode() {
        JsonObject u = new JsonObject();
        users.forEach((uid, groups) -> u.add(uid, groupsArray(groups)));
        JsonObject o = new JsonObject();
        o.add("users", u);
        o.addProperty("more", more);
        o.addProperty("complete", complete);
        return o.toString();
    }

    /** @throws IllegalArgumentException when {@code json} is not a page (e.g. a node of an older version's "{}") */
    static UserGroupTable decode(String json) {
        try {
            JsonObject o = JsonParser.parseString(json).getAsJsonObject();
            TreeMap<String, Set<String>> users = new TreeMap<>();
            for (Map.Entry<String, JsonElement> e : o.getAsJsonObject("users").entrySet()) {
                Set<String> groups = new HashSet<>();
                for (JsonElement g : e.getValue().getAsJsonArray()) {
                    groups.add(g.getAsString());
                }
                users.put(e.getKey(), Set.copyOf(groups));
            }
            return new UserGroupTable(users, o.get("more").getAsBoolean(), o.get("complete").getAsBoolean());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not a user-group table page: " + e.getMessage(), e);
        }
    }
}
