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
 * {@code "id"} is acknowledged with {@code {"type":"ack","id":...,"cmd":"..."}}. Stateless; thread-safe.
 */
final class ClientCommands {
    private final PushNode node;

    ClientCommands(PushNode node) {
        this.node = node;
    }

    /** A refused command: its code and a sentence for the client's developer. */
    static final class Refusal extends Exception {
        final String code;

        Refusal(String code, String message) {
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
            s.send("{\"type\":\"error\",\"code\":\"unavailable\",\"message\":\"this node has "
                    + PublishDispatch.QUEUE_BOUND + " commands waiting for the message bus; try again later\"}");
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
                case "send_to_group" -> sendToGroup(o);
                default -> throw new Refusal("unknown_cmd",
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
            JsonObject err = new JsonObject();
            err.addProperty("type", "error");
            err.addProperty("code", r.code);
            err.addProperty("message", r.getMessage());
            if (id != null) {
                err.add("id", id);
            }
            if (cmd != null) {
                err.addProperty("cmd", cmd);
            }
            s.send(err.toString());
        }
    }

    private void addGroup(PushSession s, JsonObject o) throws Refusal {
        String group = groupId(o);
        if (!s.groups.contains(group) && s.groups.size() >= node.config().maxGroupsPerConnection()) {
            throw new Refusal("too_many_groups", "a connection may join at most "
                    + node.config().maxGroupsPerConnection() + " groups; leave one first");
        }
        node.join(s, group);
    }

    private void leaveGroup(PushSession s, JsonObject o) throws Refusal {
        node.leave(s, groupId(o));
    }

    private void sendToGroup(JsonObject o) throws Refusal {
        if (!node.config().clientGroupMessages()) {
            throw new Refusal("group_messages_off", "this server does not take group messages from clients ("
                    + PushConfig.CLIENT_GROUP_MESSAGES + " is false); they come from its publisher");
        }
        String group = groupId(o);
        JsonElement m = o.get("message");
        if (m == null || m.isJsonNull()) {
            throw new Refusal("missing_field", "send_to_group needs \"message\"");
        }
        String message = m.isJsonPrimitive() ? m.getAsString() : m.toString();
        if (message.getBytes(StandardCharsets.UTF_8).length > node.config().maxContentBytes()) {
            throw new Refusal("too_large", "message is larger than " + node.config().maxContentBytes() + " bytes");
        }
        try {
            node.sendToGroup(group, message);
        } catch (BusUnavailableException e) {
            throw new Refusal("unavailable", "the message bus cannot take messages now; try again later");
        }
    }

    private String groupId(JsonObject o) throws Refusal {
        JsonElement g = o.get("group_id");
        // The seed's examples send group ids as numbers too ("group_id":123): accept both.
        if (g == null || !g.isJsonPrimitive() || g.getAsJsonPrimitive().isBoolean()) {
            throw new Refusal("missing_field", "\"group_id\" must be a string or a number");
        }
        String id = g.getAsString();
        if (id.isEmpty() || id.length() > node.config().maxGroupIdLength()) {
            throw new Refusal("bad_group_id", "\"group_id\" must be 1 to " + node.config().maxGroupIdLength()
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
        throw new Refusal("bad_json", "messages must be JSON objects such as {\"cmd\":\"add_group\",\"group_id\":\"1\"}");
    }

    private static String string(JsonObject o, String field, int maxLength) throws Refusal {
        JsonElement e = o.get(field);
        if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw new Refusal("missing_field", "\"" + field + "\" must be a string");
        }
        String v = e.getAsString();
        if (v.length() > maxLength) {
            throw new Refusal("unknown_cmd", "\"" + field + "\" is too long");
        }
        return v;
    }
}
