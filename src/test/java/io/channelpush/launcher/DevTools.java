package io.channelpush.launcher;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;

/**
 * A minimal Chrome DevTools Protocol client on Jetty's WebSocket client: commands carry an id and wait for the
 * answer with that id; commands for a page carry the {@code sessionId} of a flattened target session. Uncaught
 * exceptions and {@code console.error} calls in pages are collected in {@link #pageErrors}. Public for Jetty;
 * thread-safe.
 */
public final class DevTools implements Session.Listener.AutoDemanding {
    final List<String> pageErrors = new CopyOnWriteArrayList<>();
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonObject>> calls = new ConcurrentHashMap<>();
    private volatile Session session;

    @Override
    public void onWebSocketOpen(Session s) {
        session = s;
    }

    @Override
    public void onWebSocketText(String text) {
        JsonObject o = JsonParser.parseString(text).getAsJsonObject();
        if (o.has("id")) {
            CompletableFuture<JsonObject> f = calls.remove(o.get("id").getAsInt());
            if (f != null && o.has("error")) {
                f.completeExceptionally(new AssertionError("DevTools error: " + o.get("error")));
            } else if (f != null) {
                f.complete(o.getAsJsonObject("result"));
            }
            return;
        }
        String method = o.get("method").getAsString();
        JsonObject params = o.getAsJsonObject("params");
        if (method.equals("Runtime.exceptionThrown")) {
            pageErrors.add("exception: " + params.getAsJsonObject("exceptionDetails"));
        } else if (method.equals("Runtime.consoleAPICalled") && params.get("type").getAsString().equals("error")) {
            pageErrors.add("console.error: " + params.get("args"));
        }
    }

    @Override
    public void onWebSocketClose(int status, String reason) {
        calls.values().forEach(f -> f.completeExceptionally(new AssertionError("DevTools closed: " + status + " " + reason)));
    }

    /**
     * Sends a command and waits up to 15 s for its result.
     *
     * @param sessionId the page session, or null for the browser
     */
    JsonObject call(String sessionId, String method, JsonObject params) throws Exception {
        int id = ids.incrementAndGet();
        JsonObject msg = new JsonObject();
        msg.addProperty("id", id);
        msg.addProperty("method", method);
        msg.add("params", params == null ? new JsonObject() : params);
        if (sessionId != null) {
            msg.addProperty("sessionId", sessionId);
        }
        CompletableFuture<JsonObject> f = new CompletableFuture<>();
        calls.put(id, f);
        session.sendText(msg.toString(), Callback.NOOP);
        try {
            return f.get(15, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof AssertionError a) {
                throw a;
            }
            throw e;
        } finally {
            calls.remove(id);
        }
    }

    void close() {
        Session s = session;
        if (s != null) {
            s.close();
        }
    }
}
