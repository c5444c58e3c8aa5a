package io.channelpush.push.bus;

import com.google.gson.JsonParseException;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;

/**
 * The one codec of messages between nodes: which channel a {@link BusMessage} goes on ({@link Channels}) and the
 * UTF-8 JSON object it travels as. A publish is encoded once, here, and the bus carries the bytes as they are (the
 * channel daemon splices them into its event frames unparsed, NATS sends them as the message body); a receiving
 * node decodes them once, here
 * (most targeted pushes by {@link TargetedPayload}'s short way, without a JSON reader).
 *
 * <p>Wire format (unchanged from the first clustered version, so mixed versions interoperate): broadcast
 * {@code {"content":"…"}} on {@value Channels#BROADCAST}; targeted {@code {"to_connection_id":N,"content":"…"}} on
 * {@code w:<worker id>}; group {@code {"group_id":"…","message":"…"}} on {@value Channels#GROUPS}. Users: to a
 * user {@code {"uid":"…","content":"…"}}, a user's groups {@code {"uid":"…","add_group":"…"}} and
 * {@code {"uid":"…","remove_group":"…"}} on {@value Channels#USERS}; a user id bound to a connection
 * {@code {"to_connection_id":N,"bind_uid":"…"}} (or {@code "unbind_uid"}) on {@code w:<worker id>}, which a node of an
 * older version drops as a push without content. Cluster queries: a node's heartbeat {@code {"node":"…","state":"up"}}
 * (or {@code "down"} when it stops) on {@value Channels#NODES}, where presence events also travel: a node's share
 * {@code {"node":"…","state":"join","group_id":"…","uid":"…"}} (or {@code "leave"}), a re-announcement framed by
 * {@code {"node":"…","state":"sync"}} and {@code {"node":"…","state":"synced"}}, and a request for one
 * {@code {"node":"…","state":"resync","target":"…"}} (a node of an older version reads each as a heartbeat of
 * {@code node}, which it is); a question {@code {"query_id":N,"reply_to":"…",
 * "question":"…"}} on {@value Channels#QUERIES}; an answer {@code {"query_id":N,"from":"…","answer":"…"}} on the
 * asker's {@code w:<worker id>}. A delivery whose publisher wants a report (broadcast, targeted, group, to a
 * user) carries {@code "report_id":N,"report_to":"…"} besides its own fields; each node answers with the number of
 * connections it queued it to as a reply {@code {"query_id":N,"from":"…","answer":"3"}} on {@code w:<report_to>}
 * (a node of an older version delivers it and does not answer). Unknown fields are ignored. Stateless and thread-safe.
 */
public final class BusCodec {
    /**
     * Largest payload, in bytes: below both the channel daemon's default frame limit (1 MiB, envelope included) and
     * NATS's default {@code max_payload} (1 MiB), so that a payload the codec accepts is never what makes the
     * transport refuse or drop the connection.
     */
    public static final int MAX_BYTES = 1_000_000;

    private BusCodec() {
    }

    /** The channel the message travels on. */
    public static String channel(BusMessage m) {
        if (m instanceof BusMessage.Reported r) {
            return channel(r.delivery());
        }
        if (m instanceof BusMessage.Targeted t) {
            return Channels.worker(t.workerId());
        }
        if (m instanceof BusMessage.BindUid b) {
            return Channels.worker(b.workerId());
        }
        if (m instanceof BusMessage.Reply r) {
            return Channels.worker(r.toWorker());
        }
        if (m instanceof BusMessage.NodeBeat || m instanceof BusMessage.MemberChange
                || m instanceof BusMessage.Resync) {
            return Channels.NODES;
        }
        if (m instanceof BusMessage.Query) {
            return Channels.QUERIES;
        }
        if (m instanceof BusMessage.ToUser || m instanceof BusMessage.UserGroup) {
            return Channels.USERS;
        }
        return m instanceof BusMessage.Group ? Channels.GROUPS : Channels.BROADCAST;
    }

    /**
     * The payload bytes of a message.
     *
     * @throws BusUnavailableException when they would exceed {@link #MAX_BYTES} (nothing is published)
     */
    public static byte[] encode(BusMessage m) {
        StringBuilder s = new StringBuilder(64);
        if (m instanceof BusMessage.Reported r) {
            // the delivery's own fields, then the report's: a node of an older version ignores those and delivers
            String inner = new String(encode(r.delivery()), StandardCharsets.UTF_8);
            quote(s.append(inner, 0, inner.length() - 1).append(",\"report_id\":").append(r.reportId())
                    .append(",\"report_to\":"), r.reportTo());
        } else if (m instanceof BusMessage.Broadcast b) {
            quote(s.append("{\"content\":"), b.content());
        } else if (m instanceof BusMessage.Targeted t) {
            quote(s.append("{\"to_connection_id\":").append(t.connectionId()).append(",\"content\":"), t.content());
        } else if (m instanceof BusMessage.Group g) {
            quote(quote(s.append("{\"group_id\":"), g.groupId()).append(",\"message\":"), g.message());
        } else if (m instanceof BusMessage.ToUser u) {
            quote(quote(s.append("{\"uid\":"), u.uid()).append(",\"content\":"), u.content());
        } else if (m instanceof BusMessage.UserGroup u) {
            quote(quote(s.append("{\"uid\":"), u.uid()).append(u.join() ? ",\"add_group\":" : ",\"remove_group\":"),
                    u.groupId());
        } else if (m instanceof BusMessage.NodeBeat n) {
            quote(s.append("{\"node\":"), n.workerId()).append(",\"state\":").append(n.leaving() ? "\"down\"" : "\"up\"");
        } else if (m instanceof BusMessage.MemberChange c) {
            quote(s.append("{\"node\":"), c.workerId()).append(",\"state\":\"")
                    .append(c.change().name().toLowerCase(java.util.Locale.ROOT)).append('"');
            if (c.groupId() != null) {
                quote(quote(s.append(",\"group_id\":"), c.groupId()).append(",\"uid\":"), c.uid());
            }
        } else if (m instanceof BusMessage.Resync r) {
            quote(quote(s.append("{\"node\":"), r.workerId()).append(",\"state\":\"resync\",\"target\":"),
                    r.target());
        } else if (m instanceof BusMessage.Query q) {
            quote(quote(s.append("{\"query_id\":").append(q.queryId()).append(",\"reply_to\":"), q.replyTo())
                    .append(",\"question\":"), q.question());
        } else if (m instanceof BusMessage.Reply r) {
            quote(quote(s.append("{\"query_id\":").append(r.queryId()).append(",\"from\":"), r.from())
                    .append(",\"answer\":"), r.answer());
        } else {
            BusMessage.BindUid b = (BusMessage.BindUid) m;
            quote(s.append("{\"to_connection_id\":").append(b.connectionId())
                    .append(b.bind() ? ",\"bind_uid\":" : ",\"unbind_uid\":"), b.uid());
        }
        byte[] out = s.append('}').toString().getBytes(StandardCharsets.UTF_8);
        if (out.length > MAX_BYTES) {
            throw new BusUnavailableException("message of " + out.length + " bytes is over the bus limit of "
                    + MAX_BYTES + " bytes; lower channelpush.max-content-bytes");
        }
        return out;
    }

    /**
     * Decodes a payload received on {@code channel}.
     *
     * @throws MalformedBusMessageException naming the problem; an oversized payload is refused before decoding
     */
    public static BusMessage decode(String channel, byte[] payload) throws MalformedBusMessageException {
        if (payload.length > MAX_BYTES) {
            throw new MalformedBusMessageException(MalformedBusMessageException.Problem.TOO_LARGE,
                    "payload of " + payload.length + " bytes is over the bus limit of " + MAX_BYTES);
        }
        String text = new String(payload, StandardCharsets.UTF_8);
        String worker = Channels.workerOf(channel);
        BusMessage.Targeted push = worker == null ? null : TargetedPayload.read(worker, text);
        return push != null ? push : decodeFully(channel, worker, text);
    }

    /**
     * {@link #decode} without {@link TargetedPayload}'s short way.
     *
     * @param worker the worker id of {@code channel}, or null when it is not a worker channel
     */
    static BusMessage decodeFully(String channel, String worker, String text) throws MalformedBusMessageException {
        String content = null;
        String groupId = null;
        String message = null;
        Long connectionId = null;
        String uid = null;
        String addGroup = null;
        String removeGroup = null;
        String bindUid = null;
        String unbindUid = null;
        Long queryId = null;
        String replyTo = null;
        String question = null;
        String from = null;
        String answer = null;
        String node = null;
        String state = null;
        Long reportId = null;
        String reportTo = null;
        String target = null;
        try (JsonReader r = new JsonReader(new StringReader(text))) {
            if (r.peek() != JsonToken.BEGIN_OBJECT) {
                throw notObject();
            }
            r.beginObject();
            while (r.hasNext()) {
                String name = r.nextName();
                JsonToken t = r.peek();
                boolean scalar = t == JsonToken.STRING || t == JsonToken.NUMBER;
                switch (name) {
                    case "content" -> content = scalar ? r.nextString() : skip(r);
                    case "group_id" -> groupId = scalar ? r.nextString() : skip(r);
                    case "message" -> message = scalar ? r.nextString() : skip(r);
                    case "to_connection_id" -> connectionId = scalar ? integer(r, name) : skipLong(r);
                    case "uid" -> uid = scalar ? r.nextString() : skip(r);
                    case "add_group" -> addGroup = scalar ? r.nextString() : skip(r);
                    case "remove_group" -> removeGroup = scalar ? r.nextString() : skip(r);
                    case "bind_uid" -> bindUid = scalar ? r.nextString() : skip(r);
                    case "unbind_uid" -> unbindUid = scalar ? r.nextString() : skip(r);
                    case "query_id" -> queryId = scalar ? integer(r, name) : skipLong(r);
                    case "reply_to" -> replyTo = scalar ? r.nextString() : skip(r);
                    case "question" -> question = scalar ? r.nextString() : skip(r);
                    case "from" -> from = scalar ? r.nextString() : skip(r);
                    case "answer" -> answer = scalar ? r.nextString() : skip(r);
                    case "node" -> node = scalar ? r.nextString() : skip(r);
                    case "state" -> state = scalar ? r.nextString() : skip(r);
                    case "report_id" -> reportId = scalar ? integer(r, name) : skipLong(r);
                    case "report_to" -> reportTo = scalar ? r.nextString() : skip(r);
                    case "target" -> target = scalar ? r.nextString() : skip(r);
                    default -> r.skipValue();
                }
            }
            r.endObject();
            if (r.peek() != JsonToken.END_DOCUMENT) {
                throw notObject();
            }
        } catch (IOException | JsonParseException | NumberFormatException | IllegalStateException e) {
            throw notObject();
        }
        if (channel.equals(Channels.BROADCAST)) {
            return reported(new BusMessage.Broadcast(required(content, "content")), reportId, reportTo);
        }
        if (channel.equals(Channels.GROUPS)) {
            return reported(new BusMessage.Group(required(groupId, "group_id"), required(message, "message")), reportId,
                    reportTo);
        }
        if (channel.equals(Channels.NODES)) {
            return nodes(required(node, "node"), state == null ? "up" : state, groupId, uid, target);
        }
        if (channel.equals(Channels.QUERIES)) {
            return new BusMessage.Query(required(queryId, "query_id"), required(replyTo, "reply_to"),
                    required(question, "question"));
        }
        if (channel.equals(Channels.USERS)) {
            required(uid, "uid");
            if (content != null) {
                return reported(new BusMessage.ToUser(uid, content), reportId, reportTo);
            }
            if (addGroup != null || removeGroup != null) {
                return new BusMessage.UserGroup(uid, addGroup != null ? addGroup : removeGroup, addGroup != null);
            }
            return required(null, "content\", \"add_group\" or \"remove_group");
        }
        if (worker == null) {
            throw new MalformedBusMessageException(MalformedBusMessageException.Problem.UNKNOWN_CHANNEL,
                    "channel \"" + channel + "\" is not a push channel");
        }
        if (content == null && queryId != null && answer != null) {
            return new BusMessage.Reply(worker, queryId, required(from, "from"), answer);
        }
        if (content == null && (bindUid != null || unbindUid != null)) {
            return new BusMessage.BindUid(worker, required(connectionId, "to_connection_id"),
                    bindUid != null ? bindUid : unbindUid, bindUid != null);
        }
        return reported(new BusMessage.Targeted(worker, required(connectionId, "to_connection_id"),
                required(content, "content")), reportId, reportTo);
    }

    /**
     * A message on {@value Channels#NODES}: a heartbeat ({@code up}, or any state this version does not know, as
     * older nodes read every state but {@code down}), a departure, a share of presence events or a resync request.
     */
    private static BusMessage nodes(String node, String state, String groupId, String uid, String target)
            throws MalformedBusMessageException {
        return switch (state) {
            case "down" -> new BusMessage.NodeBeat(node, true);
            case "join" -> new BusMessage.MemberChange(node, BusMessage.MemberChange.Change.JOIN,
                    required(groupId, "group_id"), required(uid, "uid"));
            case "leave" -> new BusMessage.MemberChange(node, BusMessage.MemberChange.Change.LEAVE,
                    required(groupId, "group_id"), required(uid, "uid"));
            case "sync" -> new BusMessage.MemberChange(node, BusMessage.MemberChange.Change.SYNC, null, null);
            case "synced" -> new BusMessage.MemberChange(node, BusMessage.MemberChange.Change.SYNCED, null, null);
            case "resync" -> new BusMessage.Resync(node, required(target, "target"));
            default -> new BusMessage.NodeBeat(node, false);
        };
    }

    /** The delivery, wrapped when it carries a whole report request (half of one is ignored). */
    private static BusMessage reported(BusMessage delivery, Long reportId, String reportTo) {
        return reportId == null || reportTo == null ? delivery
                : new BusMessage.Reported(delivery, reportId, reportTo);
    }

    private static MalformedBusMessageException notObject() {
        return new MalformedBusMessageException(MalformedBusMessageException.Problem.NOT_JSON_OBJECT,
                "payload is not one JSON object");
    }

    private static <T> T required(T value, String field) throws MalformedBusMessageException {
        if (value == null) {
            throw new MalformedBusMessageException(MalformedBusMessageException.Problem.MISSING_FIELD,
                    "payload has no string or number field \"" + field + "\"");
        }
        return value;
    }

    private static Long integer(JsonReader r, String field) throws IOException, MalformedBusMessageException {
        try {
            return r.nextLong();
        } catch (NumberFormatException e) {
            throw new MalformedBusMessageException(MalformedBusMessageException.Problem.MISSING_FIELD,
                    "payload field \"" + field + "\" is not an integer");
        }
    }

    private static String skip(JsonReader r) throws IOException {
        r.skipValue();
        return null;
    }

    private static Long skipLong(JsonReader r) throws IOException {
        r.skipValue();
        return null;
    }

    /** Appends {@code v} as a JSON string literal. */
    private static StringBuilder quote(StringBuilder s, String v) {
        s.append('"');
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            switch (c) {
                case '"' -> s.append("\\\"");
                case '\\' -> s.append("\\\\");
                case '\n' -> s.append("\\n");
                case '\r' -> s.append("\\r");
                case '\t' -> s.append("\\t");
                default -> {
                    // control characters must be escaped; U+2028/9 too, for receivers that embed JSON in JavaScript
                    if (c < 0x20 || c == '\u2028' || c == '\u2029') {
                        s.append(String.format("\\u%04x", (int) c));
                    } else {
                        s.append(c);
                    }
                }
            }
        }
        return s.append('"');
    }
}
