package io.channelpush.push;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.channelpush.push.ClientCommands.Refusal;
import io.channelpush.push.bus.StreamPosition;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The {@code recover} command of a JSON connection: reads the streams and positions the client asks for into the
 * {@link Recovery.Want}s (a user stream only for the connection's own user), checks the groups it joins as
 * {@code add_group} would ({@link ClientCommands#mayJoin}) and the connection's recovers per minute, then starts
 * the {@link Recovery} through the node's {@link Recoveries}. A bad request is a {@link Refusal}, answered by
 * {@link ClientCommands}. Stateless; thread-safe (it runs on the thread that runs the session's commands).
 */
final class RecoverCommand {
    private final PushNode node;
    private final ClientCommands commands;

    RecoverCommand(PushNode node, ClientCommands commands) {
        this.node = node;
        this.commands = commands;
    }

    /**
     * {@code {"cmd":"recover","streams":{"broadcast":{"epoch":E,"offset":N},"group:G":{...},"uid:U":{...}}}}: joins
     * the groups (as add_group would), replays what the client missed ({@link Recovery}) and answers
     * {@code recovered}. A {@code uid:U} stream is replayed only to a connection of user U (its token's or its
     * {@code bind_uid}'s user, at the time of the recover); any other user's is answered {@code false} without a
     * replay, and the other streams recover as usual: a client that changed user (a new token, a bind_uid still to
     * come) keeps its broadcasts and groups.
     */
    void run(PushSession s, JsonObject o, JsonElement id) throws Refusal {
        if (!s.json) {
            throw new Refusal(ClientError.WRONG_FORMAT, "recover needs a connection opened with ?format=json");
        }
        JsonElement st = o.get("streams");
        if (st == null || !st.isJsonObject() || st.getAsJsonObject().isEmpty()) {
            throw new Refusal(ClientError.MISSING_FIELD, "recover needs \"streams\": an object of streams "
                    + "(\"broadcast\", \"group:<id>\", \"uid:<user id>\") to {\"epoch\":E,\"offset\":N}");
        }
        // the groups, the broadcasts, and the user's stream (and one of a previous user, answered false)
        if (st.getAsJsonObject().size() > node.config().maxGroupsPerConnection() + 3) {
            throw new Refusal(ClientError.TOO_MANY_GROUPS, "recover takes at most "
                    + (node.config().maxGroupsPerConnection() + 3) + " streams");
        }
        String uid = s.uid;
        List<Recovery.Want> wants = new ArrayList<>();
        List<String> joins = new ArrayList<>();
        for (Map.Entry<String, JsonElement> e : st.getAsJsonObject().entrySet()) {
            StreamPosition after = position(e.getKey(), e.getValue());
            if (e.getKey().equals(Frames.BROADCAST)) {
                wants.add(Recovery.Want.broadcast(after));
            } else if (e.getKey().startsWith(Frames.USER_PREFIX)) {
                String user = e.getKey().substring(Frames.USER_PREFIX.length());
                // never another user's messages: only the connection's own user may be replayed
                wants.add(user.equals(uid) ? Recovery.Want.user(user, after) : Recovery.Want.refused(e.getKey()));
            } else if (e.getKey().startsWith(Frames.GROUP_PREFIX)) {
                String group = e.getKey().substring(Frames.GROUP_PREFIX.length());
                if (group.isEmpty() || group.length() > node.config().maxGroupIdLength()) {
                    throw new Refusal(ClientError.BAD_GROUP_ID, "a group id must be 1 to "
                            + node.config().maxGroupIdLength() + " characters");
                }
                joins.add(group);
                wants.add(Recovery.Want.group(group, after));
            } else {
                throw new Refusal(ClientError.MISSING_FIELD,
                        "streams are \"broadcast\", \"group:<id>\" or \"uid:<user id>\"");
            }
        }
        int newGroups = (int) joins.stream().filter(g -> !s.groups().contains(g)).count();
        for (String g : joins) {
            commands.mayJoin(s, g, newGroups);
        }
        if (!s.rates().admitRecover(Recoveries.PER_CONNECTION_PER_MINUTE)) {
            throw new Refusal(ClientError.RATE_LIMITED, "at most " + Recoveries.PER_CONNECTION_PER_MINUTE
                    + " recovers per minute per connection");
        }
        if (!node.recoveries().start(s, wants, id, () -> joins.forEach(g -> node.join(s, g)))) {
            throw new Refusal(ClientError.RATE_LIMITED, "a recover is running on this connection already");
        }
    }

    private static StreamPosition position(String stream, JsonElement p) throws Refusal {
        if (p != null && p.isJsonObject()) {
            JsonElement epoch = p.getAsJsonObject().get("epoch");
            JsonElement offset = p.getAsJsonObject().get("offset");
            if (epoch != null && epoch.isJsonPrimitive() && epoch.getAsJsonPrimitive().isString()
                    && !epoch.getAsString().isEmpty() && epoch.getAsString().length() <= 128
                    && offset != null && offset.isJsonPrimitive() && offset.getAsJsonPrimitive().isNumber()) {
                try {
                    long n = offset.getAsJsonPrimitive().getAsBigDecimal().longValueExact();
                    if (n >= 0) {
                        return new StreamPosition(epoch.getAsString(), n);
                    }
                } catch (ArithmeticException e) {
                    // reported below
                }
            }
        }
        throw new Refusal(ClientError.MISSING_FIELD, "stream " + (stream.length() > 140 ? "?" : stream)
                + " needs {\"epoch\":\"...\",\"offset\":N} (N a whole number, 0 or more)");
    }
}
