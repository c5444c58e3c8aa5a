package io.channelpush.bench;

import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;

/**
 * One harness WebSocket client: remembers its welcome ids, completes futures on welcome and on acks, and hands
 * every other message to the shared {@link Deliveries}. Public so that Jetty can call it; thread-safe.
 */
public final class BenchClient implements Session.Listener.AutoDemanding {
    private static final Pattern WELCOME = Pattern.compile("workerID:(\\S+) connectionID:(\\d+) connected\n");

    final CompletableFuture<BenchClient> welcomed = new CompletableFuture<>();
    volatile CompletableFuture<Void> acked = new CompletableFuture<>();
    private final Deliveries deliveries;
    private volatile Session session;
    volatile String workerId;
    volatile long connectionId;

    BenchClient(Deliveries deliveries) {
        this.deliveries = deliveries;
    }

    @Override
    public void onWebSocketOpen(Session s) {
        session = s;
    }

    @Override
    public void onWebSocketText(String text) {
        if (workerId == null) {
            Matcher m = WELCOME.matcher(text);
            if (m.matches()) {
                workerId = m.group(1);
                connectionId = Long.parseLong(m.group(2));
                welcomed.complete(this);
                return;
            }
        }
        if (text.startsWith("{\"type\":\"ack\"")) {
            acked.complete(null);
        } else if (text.startsWith("{\"type\":\"error\"")) {
            acked.completeExceptionally(new IllegalStateException(text));
            deliveries.error(text);
        } else {
            deliveries.record(text);
        }
    }

    @Override
    public void onWebSocketError(Throwable cause) {
        welcomed.completeExceptionally(cause);
    }

    @Override
    public void onWebSocketClose(int status, String reason) {
        deliveries.closed(status, reason);
    }

    void send(String text) {
        session.sendText(text, Callback.NOOP);
    }

    void close() {
        Session s = session;
        if (s != null && s.isOpen()) {
            s.close(1000, "bench done", Callback.NOOP);
        }
    }
}
