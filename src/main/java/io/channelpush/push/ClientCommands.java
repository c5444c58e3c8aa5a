package io.channelpush.push;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import io.channelpush.push.bus.BusUnavailableException;
import java.nio.charset.StandardCharsets;

/**
 * Commands a WebSocket client sends as JSON text: {@code add_group}, {@code leave_group}, {@code send_to_group}.
 * One method per command, dispatched from {@link #handle}. A bad message gets an error reply
 * {@code {"type":"error","code":"...","message":"..."}} and the connection stays open. A command carrying an
 * {@code "id"} is acknowledged with {@code {"type":"ack","id":...,"cmd":"..."}}. With connection keys set,
 * {@code add_group} and {@code send_to_group} follow the connection's token
 * ({@link io.channelpush.push.auth.ConnectionIdentity}); a refusal is a {@code forbidden} error. Stateless;
 * thread-safe.
 */
final class ClientCommands {
    private final PushNode node;

    ClientCommands(PushNode node) {
        this.node = node;
    }

    /** A refused command: its code and a sentence for the client's developer. */
    static final class Refusal extends Exception {
        final ClientError code;

        Refusal(ClientError code, String message) {
            super(message, null, false, false);
            this.code = code;
        }
    }

    /**
     * Handles one command: here, or, when the bus may wait ({@link PublishDispatch}), on the node's publish thread,
     * so that an I/O thread never waits on the bus; every command of a client then goes there, to keep their order.
     */
    void handle(PushSession s, String text) {
        PublishDispatch dispatch = node.publishDispatch();
        if (!dispatch.busMayWait()) {
            handleNow(s, text);
        } else if (!dispatch.run(() -> handleNow(s, text))) {
            s.send(error(ClientError.UNAVAILABLE, "this node has " + PublishDispatch.QUEUE_BOUND
                    + " commands waiting for the message bus; try again later", null, null));
        }
    }

    private void handleNow(PushSession s, String text) {
        JsonElement id = null;
        String cmd = null;
        try {
            JsonObject o = parse(text);
            id = o.get("id");
            cmd = string(o, "cmd", 32);
            switch (cmd) {
                case "add_group" -> addGroup(s, o);
                case "leave_group" -> leaveGroup(s, o);
                case "send_to_group" -> sendToGroup(s, o);
                default -> throw new Refusal(ClientError.UNKNOWN_CMD,
                        "unknown cmd \"" + cmd + "\"; use add_group, leave_group or send_to_group");
            }
            if (id != null) {
                JsonObject ack = new JsonObject();
                ack.addProperty("type", "ack");
                ack.add("id", id);
                ack.addProperty("cmd", cmd);
                s.send(ack.toString());
            }
        } catch (Refusal r) {
            s.send(error(r.code, r.getMessage(), id, cmd));
        }
    }

    /** {@code {"type":"error","code":...,"message":...}}, with the command's {@code id} and {@code cmd} when known. */
    private static String error(ClientError code, String message, JsonElement id, String cmd) {
        JsonObject err = new JsonObject();
        err.addProperty("type", "error");
        err.addProperty("code", code.wireName());
        err.addProperty("message", message);
        if (id != null) {
            err.add("id", id);
        }
        if (cmd != null) {
            err.addProperty("cmd", cmd);
        }
        return err.toString();
    }

    private void addGroup(PushSession s, JsonObject o) throws Refusal {
        String group = groupId(o);
        if (node.connectionTokens() != null && (s.identity == null || !s.identity.mayJoin(group))) {
            throw new Refusal(ClientError.FORBIDDEN, "this connection's token does not grant group " + group
                    + " (its \"groups\" claim)");
        }
        if (!s.groups.contains(group) && s.groups.size() >= node.config().maxGroupsPerConnection()) {
            throw new Refusal(ClientError.TOO_MANY_GROUPS, "a connection may join at most "
                    + node.config().maxGroupsPerConnection() + " groups; leave one first");
        }
        node.join(s, group);
    }

    private void leaveGroup(PushSession s, JsonObject o) throws Refusal {
        node.leave(s, groupId(o));
    }

    private void sendToGroup(PushSession s, JsonObject o) throws Refusal {
        if (!node.config().clientGroupMessages()) {
            throw new Refusal(ClientError.GROUP_MESSAGES_OFF,
                    "this server does not take group messages from clients ("
                    + PushConfig.CLIENT_GROUP_MESSAGES + " is false); they come from its publisher");
        }
        String group = groupId(o);
        if (node.connectionTokens() != null && (s.identity == null || !s.identity.maySendTo(group))) {
            throw new Refusal(ClientError.FORBIDDEN, "this connection's token does not allow sending to group "
                    + group + " (it needs \"send\":true and the group in \"groups\")");
        }
        JsonElement m = o.get("message");
        if (m == null || m.isJsonNull()) {
            throw new Refusal(ClientError.MISSING_FIELD, "send_to_group needs \"message\"");
        }
        String message = m.isJsonPrimitive() ? m.getAsString() : m.toString();
        if (message.getBytes(StandardCharsets.UTF_8).length > node.config().maxContentBytes()) {
            throw new Refusal(ClientError.TOO_LARGE,
                    "message is larger than " + node.config().maxContentBytes() + " bytes");
        }
        try {
            node.sendToGroup(group, message);
        } catch (BusUnavailableException e) {
            throw new Refusal(ClientError.UNAVAILABLE, "the message bus cannot take messages now; try again later");
        }
    }

    private String groupId(JsonObject o) throws Refusal {
        JsonElement g = o.get("group_id");
        // The seed's examples send group ids as numbers too ("group_id":123): accept both.
        if (g == null || !g.isJsonPrimitive() || g.getAsJsonPrimitive().isBoolean()) {
            throw new Refusal(ClientError.MISSING_FIELD, "\"group_id\" must be a string or a number");
        }
        String id = g.getAsString();
        if (id.isEmpty() || id.length() > node.config().maxGroupIdLength()) {
            throw new Refusal(ClientError.BAD_GROUP_ID, "\"group_id\" must be 1 to " + node.config().maxGroupIdLength()
                    + " characters");
        }
        return id;
    }

    private static JsonObject parse(String text) throws Refusal {
        try {
            JsonElement e = JsonParser.parseString(text);
            if (e.isJsonObject()) {
                return e.getAsJsonObject();
            }
        } catch (JsonParseException | StackOverflowError e) {
            // reported below
        }
        throw new Refusal(ClientError.BAD_JSON,
                "messages must be JSON objects such as {\"cmd\":\"add_group\",\"group_id\":\"1\"}");
    }

    private static String string(JsonObject o, String field, int maxLength) throws Refusal {
        JsonElement e = o.get(field);
        if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw new Refusal(ClientError.MISSING_FIELD, "\"" + field + "\" must be a string");
        }
        String v = e.getAsString();
        if (v.length() > maxLength) {
            throw new Refusal(ClientError.UNKNOWN_CMD, "\"" + field + "\" is too long");
        }
        return v;
    }
}
