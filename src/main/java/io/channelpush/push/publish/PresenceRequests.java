package io.channelpush.push.publish;

import io.channelpush.push.PushNode;
import io.channelpush.push.auth.UserIds;
import io.channelpush.push.bus.BusUnavailableException;
import io.channelpush.push.presence.Presence;
import io.channelpush.push.presence.PresenceQuestion;
import io.channelpush.push.presence.ScatterGather;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The publisher's presence queries (GET only, answered in JSON), once {@link Publishing} has authenticated the
 * request: {@code presence=1} (connections and users across the cluster), {@code group_members=G} with optional
 * {@code limit} (1 to {@value #MAX_PAGE}, default {@value #MAX_PAGE}) and {@code after} (the {@code next} of the
 * previous page), {@code online=U1,U2,...} (at most {@value #MAX_ONLINE} user ids) and {@code user_groups=U}. Each
 * asks every live node and waits at most {@code channelpush.presence-wait-ms}, so it runs on the servlet's worker
 * thread, never on an I/O thread ({@link PublishHandler} passes these requests on). Stateless.
 */
final class PresenceRequests {
    /** Most user ids in one page of group members. */
    static final int MAX_PAGE = 1_000;
    /** Most user ids in one {@code online} query. */
    static final int MAX_ONLINE = 100;
    /** The parameters that make a request a presence query. */
    static final Set<String> QUERIES = Set.of("presence", "group_members", "online", "user_groups");
    private static final Set<String> PAGE = Set.of("limit", "after");

    private PresenceRequests() {
    }

    static boolean isPresenceRequest(Map<String, ?> params) {
        for (String k : params.keySet()) {
            if (QUERIES.contains(k) || PAGE.contains(k)) {
                return true;
            }
        }
        return false;
    }

    static Publishing.Answer route(PushNode node, String method, Map<String, List<String>> params) {
        if (!method.equals("GET")) {
            return new Publishing.Answer(405, "presence queries are GET requests");
        }
        List<String> asked = params.keySet().stream().filter(QUERIES::contains).sorted().toList();
        if (asked.size() != 1) {
            return new Publishing.Answer(400, "give one of presence, group_members, online, user_groups");
        }
        String what = asked.get(0);
        List<String> others = params.keySet().stream()
                .filter(k -> !k.equals(what) && !(what.equals("group_members") && PAGE.contains(k))).sorted().toList();
        if (!others.isEmpty()) {
            return new Publishing.Answer(400, what + " does not go with " + String.join(", ", others)
                    + (what.equals("group_members") ? "; it takes limit and after only" : "; it takes nothing else"));
        }
        String value = Publishing.one(params, what);
        PresenceQuestion q;
        switch (what) {
            case "presence" -> {
                if (!value.equals("1")) {
                    return new Publishing.Answer(400, "presence takes the value 1");
                }
                q = PresenceQuestion.totals();
            }
            case "group_members" -> {
                int max = node.config().maxGroupIdLength();
                if (value.isEmpty() || value.length() > max) {
                    return new Publishing.Answer(400, "group_members must be a group id of 1 to " + max + " characters");
                }
                String after = Publishing.one(params, "after");
                if (after != null && !UserIds.isValid(after)) {
                    return new Publishing.Answer(400, "after must be the next of the previous page (a user id)");
                }
                int limit = MAX_PAGE;
                String l = Publishing.one(params, "limit");
                if (l != null) {
                    limit = (int) Math.min(Integer.MAX_VALUE, Publishing.connectionId(l));
                    if (limit < 1 || limit > MAX_PAGE) {
                        return new Publishing.Answer(400, "limit must be a whole number from 1 to " + MAX_PAGE);
                    }
                }
                q = PresenceQuestion.group(value, after, limit);
            }
            case "online" -> {
                List<String> uids = Arrays.stream(value.split(",", -1)).distinct().toList();
                if (uids.size() > MAX_ONLINE || !uids.stream().allMatch(UserIds::isValid)) {
                    return new Publishing.Answer(400, "online takes 1 to " + MAX_ONLINE + " user ids separated by "
                            + "commas, each " + UserIds.RULE);
                }
                q = PresenceQuestion.online(uids);
            }
            default -> {
                if (!UserIds.isValid(value)) {
                    return new Publishing.Answer(400, "user_groups must be " + UserIds.RULE);
                }
                q = PresenceQuestion.userGroups(value);
            }
        }
        try {
            return Publishing.Answer.json(node.presence().ask(q));
        } catch (ScatterGather.Full e) {
            return new Publishing.Answer(503, Presence.MAX_QUERIES_IN_FLIGHT + " presence queries are in flight on "
                    + "this node already; try again later", 1);
        } catch (BusUnavailableException e) {
            return new Publishing.Answer(503, "the message bus cannot take the query now; try again later");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Publishing.Answer(503, "the node is stopping");
        }
    }
}
