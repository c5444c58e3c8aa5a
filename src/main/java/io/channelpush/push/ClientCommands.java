package io.channelpush.push;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import io.channelpush.push.bus.BusMessage;
import io.channelpush.push.bus.Channels;
import io.channelpush.push.bus.PublishOutcomeUnknownException;
import io.channelpush.push.bus.StreamPosition;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

/**
 * Commands a WebSocket client sends as JSON text: {@code add_group}, {@code leave_group}, {@code send_to_group},
 * {@code recover}.
 * One method per command, dispatched from {@link #handle}; {@code recover} is a {@link RecoverCommand}. A bad message gets an error reply
 * {@code {"type":"error","code":"...","message":"..."}} and the connection stays open. A command carrying an
 * {@code "id"} is acknowledged with {@code {"type":"ack","id":...,"cmd":"..."}}. With connection keys set,
 * {@code add_group} and {@code send_to_group} follow the connection's token
 * ({@link io.channelpush.push.auth.ConnectionIdentity}); a refusal is a {@code forbidden} error. Stateless;
 * thread-safe.
 */
final class ClientCommands {
    private final PushNode node;
    private final RecoverCommand recover;

    ClientCommands(PushNode node) {
        this.node = node;
        this.recover = new RecoverCommand(node, this);
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
     * so that an I/O thread never waits on the bus. {@code add_group} and {@code leave_group} never wait on the bus
     * (they change this node's registries; presence events have their own queue), so they run here too, unless
     * commands of the same connection still wait for the publish thread: those go first, so a connection's commands
     * keep their order. So thousands of clients joining groups at once do not fill the publish thread's queue.
     */
    void handle(PushSession s, String text) {
        PublishDispatch dispatch = node.publishDispatch();
        JsonObject parsed = parseOrNull(text);
        if (!dispatch.busMayWait() || neverWaits(parsed) && s.commandsQueued() == 0) {
            handleNow(s, text, parsed);
            return;
        }
        s.commandQueued(1);
        if (!dispatch.run(() -> {
            try {
                handleNow(s, text, parsed);
            } finally {
                s.commandQueued(-1);
            }
        })) {
            s.commandQueued(-1);
            s.send(error(ClientError.UNAVAILABLE, "this node has " + PublishDispatch.QUEUE_BOUND
                    + " commands waiting for the message bus; try again later", null, null));
        }
    }

    /** Commands that never wait on the bus. */
    private static boolean neverWaits(JsonObject o) {
        JsonElement cmd = o == null ? null : o.get("cmd");
        if (cmd == null || !cmd.isJsonPrimitive() || !cmd.getAsJsonPrimitive().isString()) {
            return false;
        }
        String c = cmd.getAsString();
        return c.equals("add_group") || c.equals("leave_group");
    }

    /** @param parsed {@code text} parsed, or null when it is not a JSON object (answered {@code bad_json}) */
    private void handleNow(PushSession s, String text, JsonObject parsed) {
        JsonElement id = null;
        String cmd = null;
        try {
            JsonObject o = parsed != null ? parsed : parse(text);
            id = o.get("id");
            cmd = string(o, "cmd", 32);
            CompletableFuture<?> pending = null;
            JsonObject position = null;
            switch (cmd) {
                case "add_group" -> position = addGroup(s, o);
                case "leave_group" -> leaveGroup(s, o);
                case "send_to_group" -> pending = sendToGroup(s, o);
                case "recover" -> {
                    recover.run(s, o, id);
                    return;
                }
                default -> throw new Refusal(ClientError.UNKNOWN_CMD,
                        "unknown cmd \"" + cmd + "\"; use add_group, leave_group, send_to_group or recover");
            }
            if (pending == null) {
                acknowledge(s, id, cmd, position);
            } else {
                JsonElement theId = id;
                String theCmd = cmd;
                // answered when the bus acknowledged it: later commands may be answered first
                pending.whenComplete((v, e) -> {
                    Throwable cause = e == null ? null : AckedPublisher.unwrap(e);
                    if (cause == null) {
                        acknowledge(s, theId, theCmd, null);
                    } else if (cause instanceof PublishOutcomeUnknownException) {
                        s.send(error(ClientError.OUTCOME_UNKNOWN, "the message bus did not confirm the message in "
                                + "time; it may still be delivered (at most once)", theId, theCmd));
                    } else {
                        s.send(error(ClientError.UNAVAILABLE, "the message bus cannot take messages now; it was "
                                + "not sent; try again later", theId, theCmd));
                    }
                });
            }
        } catch (Refusal r) {
            if ("recover".equals(cmd)) {
                // the recover the connection promised (recover=1) will not run: what waited for it goes out now
                s.streams().stopAwaiting();
            }
            s.send(error(r.code, r.getMessage(), id, cmd));
        }
    }

    /** @param streams on {@code add_group} of a JSON connection, the group stream's position, or null */
    private static void acknowledge(PushSession s, JsonElement id, String cmd, JsonObject streams) {
        if (id != null) {
            JsonObject ack = new JsonObject();
            ack.addProperty("type", "ack");
            ack.add("id", id);
            ack.addProperty("cmd", cmd);
            if (streams != null) {
                ack.add("streams", streams);
            }
            s.send(ack.toString());
        }
    }

    /** {@code {"type":"error","code":...,"message":...}}, with the command's {@code id} and {@code cmd} when known. */
    static String error(ClientError code, String message, JsonElement id, String cmd) {
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

    /**
     * Joins; on a JSON connection returns {@code {"group:G":{"epoch":E,"offset":N}}}, the last {@code g} position
     * the node delivered, or the stream's head when its subscription started if it delivered none yet (read after
     * joining: any later message of the group has a higher offset and reaches this connection), for the client to
     * recover from after a reconnect; null only while the bus has not told the node the stream's head.
     */
    private JsonObject addGroup(PushSession s, JsonObject o) throws Refusal {
        String group = groupId(o);
        mayJoin(s, group, 1);
        node.join(s, group);
        StreamPosition p = s.json ? node.lastDelivered(Channels.GROUPS) : null;
        return p == null ? null : Frames.streams(Frames.GROUP_PREFIX + group, p);
    }

    /** Refuses {@code group} when the token does not grant it or the connection would pass its group bound. */
    void mayJoin(PushSession s, String group, int joining) throws Refusal {
        if (node.admission().tokensRequired() && (s.identity == null || !s.identity.mayJoin(group))) {
            throw new Refusal(ClientError.FORBIDDEN, "this connection's token does not grant group " + group
                    + " (its \"groups\" claim)");
        }
        if (!s.groups().contains(group) && s.groups().size() + joining > node.config().maxGroupsPerConnection()) {
            throw new Refusal(ClientError.TOO_MANY_GROUPS, "a connection may join at most "
                    + node.config().maxGroupsPerConnection() + " groups; leave one first");
        }
    }

    private void leaveGroup(PushSession s, JsonObject o) throws Refusal {
        node.leave(s, groupId(o));
    }

    private CompletableFuture<?> sendToGroup(PushSession s, JsonObject o) throws Refusal {
        if (!node.config().clientGroupMessages()) {
            throw new Refusal(ClientError.GROUP_MESSAGES_OFF,
                    "this server does not take group messages from clients ("
                    + PushConfig.CLIENT_GROUP_MESSAGES + " is false); they come from its publisher");
        }
        String group = groupId(o);
        if (node.admission().tokensRequired() && (s.identity == null || !s.identity.maySendTo(group))) {
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
        return node.publishAcked(new BusMessage.Group(group, message));
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

    private static JsonObject parseOrNull(String text) {
        try {
            return parse(text);
        } catch (Refusal r) {
            return null;
        }
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
