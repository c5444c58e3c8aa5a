package io.channelpush.chaos;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;

/**
 * One logical WebSocket client over its successive connections: a plain-text client (the seed's frames, one
 * connection) or a {@code ?format=json} client that, after any loss of its connection, reconnects (through its
 * {@link Fleet}) and sends {@code recover} with the last epoch and offset it holds per stream. Records every
 * numbered message it receives (publisher, stream, number, phase), its recoveries and their answers, its closes, and
 * anything the server sent that breaks the protocol. Public so Jetty can call it; Jetty calls one session's events
 * in order and a client has one session at a time; the recorded state is guarded by {@code this}.
 */
public final class ChaosClient implements Session.Listener.AutoDemanding {
    /** The last position held on a stream. */
    record Position(String epoch, long offset) {
    }

    /** A close of one of its connections. */
    record Close(int phase, String node, int code, String reason) {
    }

    final String name;
    final boolean json;
    /** g1, g2, or null when in no group. */
    final String group;
    private final Fleet fleet;
    private final Timeline timeline;
    final CompletableFuture<Void> ready = new CompletableFuture<>();

    private volatile Session session;
    private volatile String node;
    private final Receipts receipts = new Receipts();
    private final Map<String, Position> positions = new LinkedHashMap<>();
    private final Map<String, String> toldFalse = new LinkedHashMap<>();
    private final List<RecoveryAttempt> recoveries = new ArrayList<>();
    private final List<Close> closes = new ArrayList<>();
    private final List<String> violations = new ArrayList<>();
    private RecoveryAttempt pending;
    private boolean joined;
    private int connections;

    ChaosClient(String name, boolean json, String group, Fleet fleet, Timeline timeline) {
        this.name = name;
        this.json = json;
        this.group = group;
        this.fleet = fleet;
        this.timeline = timeline;
    }

    /** Called before each connection attempt. */
    void connectingTo(String nodeName) {
        node = nodeName;
    }

    @Override
    public void onWebSocketOpen(Session s) {
        session = s;
    }

    @Override
    public void onWebSocketText(String text) {
        synchronized (this) {
            if (json) {
                onJson(text);
            } else {
                onPlain(text);
            }
        }
    }

    @Override
    public void onWebSocketClose(int code, String reason) {
        lost(code, reason);
    }

    @Override
    public void onWebSocketError(Throwable cause) {
        lost(-1, String.valueOf(cause));
    }

    private void lost(int code, String reason) {
        Session s = session;
        synchronized (this) {
            if (s == null) {
                return; // already counted (an error and a close of the same session)
            }
            session = null;
            closes.add(new Close(timeline.current(), node, code, reason));
            if (pending != null) {
                pending.refused = "connection closed (" + code + " " + reason + ") before \"recovered\"";
                recoveries.add(pending);
                pending = null;
            }
        }
        if (json) {
            fleet.reconnectLater(this, code == 1000 && "blip".equals(reason));
        }
    }

    private void onPlain(String text) {
        if (text.startsWith("workerID:")) {
            connections++;
            if (group != null) {
                send("{\"cmd\":\"add_group\",\"group_id\":\"" + group + "\",\"id\":1}");
            } else {
                ready.complete(null);
            }
        } else if (text.startsWith("{")) {
            JsonObject o = JsonParser.parseString(text).getAsJsonObject();
            if ("ack".equals(string(o, "type"))) {
                ready.complete(null);
            } else {
                violation("unexpected reply " + text);
            }
        } else {
            content(text, null);
        }
    }

    private void onJson(String text) {
        JsonObject o;
        try {
            o = JsonParser.parseString(text).getAsJsonObject();
        } catch (RuntimeException e) {
            violation("not a JSON object: " + abbreviate(text));
            return;
        }
        String type = string(o, "type");
        switch (type == null ? "" : type) {
            case "welcome" -> welcome(o);
            case "message" -> message(o);
            case "recovered" -> recovered(o);
            case "ack" -> {
                adopt(o, group == null ? null : Streams.group(group));
                joined = true;
                ready.complete(null);
            }
            case "error" -> error(text);
            default -> violation("unknown frame " + abbreviate(text));
        }
    }

    /**
     * Whether its next connection promises a {@code recover} first ({@code &recover=1}: the node holds its stream
     * messages until then): a JSON client that was connected before and holds a position of a stream it follows.
     */
    synchronized boolean promisesRecover() {
        return json && connections > 0 && Streams.followedBy(group).stream().anyMatch(positions::containsKey);
    }

    /** A stream without a position takes the one the node gave (welcome: broadcasts; add_group's ack: groups). */
    private void adopt(JsonObject frame, String stream) {
        JsonElement st = frame.get("streams");
        if (stream == null || positions.containsKey(stream) || st == null || !st.isJsonObject()) {
            return;
        }
        JsonElement p = st.getAsJsonObject().get(stream);
        if (p != null && p.isJsonObject() && p.getAsJsonObject().has("epoch") && p.getAsJsonObject().has("offset")) {
            positions.put(stream, new Position(p.getAsJsonObject().get("epoch").getAsString(),
                    p.getAsJsonObject().get("offset").getAsLong()));
        }
    }

    private void welcome(JsonObject o) {
        connections++;
        Map<String, Position> ask = new LinkedHashMap<>();
        for (String stream : Streams.followedBy(group)) {
            if (positions.containsKey(stream)) {
                ask.put(stream, positions.get(stream));
            }
        }
        if (connections > 1 && !ask.isEmpty()) {
            pending = new RecoveryAttempt(timeline.current(), node, ask);
            send(pending.command());
        }
        // a group stream with no position yet (nothing received on it) can only be joined, not recovered
        if (group != null && !ask.containsKey(Streams.group(group))) {
            send("{\"cmd\":\"add_group\",\"group_id\":\"" + group + "\",\"id\":1}");
        } else if (group == null && connections == 1) {
            ready.complete(null);
        }
        adopt(o, Streams.BROADCAST);
    }

    private void message(JsonObject o) {
        String stream = string(o, "stream");
        String content = string(o, "content");
        if (stream == null || content == null) {
            violation("message without stream or content: " + o);
            return;
        }
        String epoch = string(o, "epoch");
        JsonElement off = o.get("offset");
        if (epoch == null || off == null || !off.isJsonPrimitive()) {
            violation("stream message without epoch or offset: " + o);
        } else {
            long offset = off.getAsLong();
            Position last = positions.get(stream);
            if (last != null && last.epoch().equals(epoch) && offset <= last.offset()) {
                violation("offset of " + stream + " went from " + last.offset() + " to " + offset + " (" + content
                        + ")");
            }
            positions.put(stream, new Position(epoch, offset));
        }
        if (pending != null) {
            pending.replayed++;
        }
        content(content, stream);
    }

    private void recovered(JsonObject o) {
        if (pending == null) {
            violation("\"recovered\" without a recover: " + o);
            return;
        }
        Map<String, Boolean> result = new LinkedHashMap<>();
        JsonElement s = o.get("streams");
        if (s != null && s.isJsonObject()) {
            s.getAsJsonObject().entrySet().forEach(e -> result.put(e.getKey(), e.getValue().getAsBoolean()));
        }
        for (String stream : pending.asked.keySet()) {
            Boolean ok = result.get(stream);
            if (ok == null) {
                violation("\"recovered\" says nothing of " + stream + ": " + o);
            } else if (!ok) {
                toldFalse.putIfAbsent(stream, timeline.describe(timeline.current()));
            }
        }
        pending.result = result;
        recoveries.add(pending);
        pending = null;
        ready.complete(null);
    }

    private void error(String text) {
        if (pending != null) {
            // the node could not recover now (e.g. unavailable): reconnect and ask again, as a browser would
            pending.refused = abbreviate(text);
            recoveries.add(pending);
            pending = null;
            Session s = session;
            if (s != null) {
                s.close(1000, "retry recovery", Callback.NOOP);
            }
        } else {
            violation("error reply " + abbreviate(text));
        }
    }

    private void content(String content, String stream) {
        int colon = content.indexOf(':');
        int seq;
        try {
            seq = Integer.parseInt(content.substring(colon + 1));
        } catch (RuntimeException e) {
            violation("unexpected message " + abbreviate(content));
            return;
        }
        String publisher = content.substring(0, colon);
        String expected = Streams.of(seq);
        if (stream != null && !stream.equals(expected)) {
            violation(content + " arrived on stream " + stream + ", published to " + expected);
        }
        receipts.add(publisher, expected, seq, timeline.current(), pending != null);
    }

    private void violation(String what) {
        violations.add(name + " on " + node + " in phase " + timeline.describe(timeline.current()) + ": " + what);
    }

    void send(String text) {
        Session s = session;
        if (s != null) {
            s.sendText(text, Callback.NOOP);
        }
    }

    /** Drops the connection (a network blip); a JSON client then reconnects and recovers. */
    void blip() {
        Session s = session;
        if (s != null) {
            s.close(1000, "blip", Callback.NOOP);
        }
    }

    boolean connected() {
        Session s = session;
        return s != null && s.isOpen();
    }

    /** Connected, and not in the middle of a recovery. */
    synchronized boolean settled() {
        return connected() && pending == null && (connections > 1 || ready.isDone());
    }

    String node() {
        return node;
    }

    /** Numbers received from {@code publisher} on {@code stream}, in arrival order (a copy). */
    synchronized IntList received(String publisher, String stream) {
        return receipts.seqs(publisher, stream);
    }

    /** The phases the numbers of {@link #received} arrived in (a copy). */
    synchronized IntList receivedPhases(String publisher, String stream) {
        return receipts.phases(publisher, stream);
    }

    /** Per receipt of {@link #received}: 1 when it came while a recover was pending (a copy). */
    synchronized IntList receivedInRecovery(String publisher, String stream) {
        return receipts.duringRecovery(publisher, stream);
    }

    /** Whether it received number {@code seq} of {@code publisher} on {@code stream}. */
    synchronized boolean has(String publisher, String stream, int seq) {
        return receipts.has(publisher, stream, seq);
    }

    synchronized Map<String, String> toldFalse() {
        return Map.copyOf(toldFalse);
    }

    synchronized List<RecoveryAttempt> recoveries() {
        return List.copyOf(recoveries);
    }

    synchronized List<Close> closes() {
        return List.copyOf(closes);
    }

    synchronized List<String> violations() {
        return List.copyOf(violations);
    }

    private static String string(JsonObject o, String field) {
        JsonElement e = o.get(field);
        return e == null || !e.isJsonPrimitive() ? null : e.getAsString();
    }

    private static String abbreviate(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }

    @Override
    public String toString() {
        return name + (json ? " (json" : " (plain") + (group == null ? "" : ", group " + group) + ", on " + node + ")";
    }
}
