package io.channelpush.push;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;

/** A Jetty WebSocket client for tests: records text messages and the close status. Public so Jetty can call it. */
public final class TestClient implements Session.Listener.AutoDemanding {
    private static final Pattern WELCOME = Pattern.compile("workerID:(\\S+) connectionID:(\\d+) connected\n");

    final LinkedBlockingQueue<String> messages = new LinkedBlockingQueue<>();
    final CompletableFuture<Integer> closeStatus = new CompletableFuture<>();
    final CompletableFuture<String> closeReason = new CompletableFuture<>();
    private volatile Session session;
    String workerId;
    long connectionId;
    String welcome;

    @Override
    public void onWebSocketOpen(Session s) {
        session = s;
    }

    @Override
    public void onWebSocketText(String text) {
        messages.add(text);
    }

    @Override
    public void onWebSocketClose(int status, String reason) {
        closeReason.complete(reason);
        closeStatus.complete(status);
    }

    @Override
    public void onWebSocketError(Throwable cause) {
        closeStatus.complete(-1);
        closeReason.complete(String.valueOf(cause));
    }

    /** Reads and parses the welcome line; fails if it does not come or has the wrong form. */
    TestClient awaitWelcome() throws InterruptedException {
        welcome = next();
        Matcher m = WELCOME.matcher(welcome);
        if (!m.matches()) {
            throw new AssertionError("not a welcome line: " + welcome);
        }
        workerId = m.group(1);
        connectionId = Long.parseLong(m.group(2));
        return this;
    }

    /** The next message; fails after 5 s. */
    String next() throws InterruptedException {
        String m = messages.poll(5, TimeUnit.SECONDS);
        assertNotNull(m, "no message within 5 s");
        return m;
    }

    /** Asserts nothing arrives within {@code millis}. */
    void expectNothing(long millis) throws InterruptedException {
        assertNull(messages.poll(millis, TimeUnit.MILLISECONDS), "unexpected message");
    }

    void send(String text) {
        session.sendText(text, Callback.NOOP);
    }

    boolean isOpen() {
        Session s = session;
        return s != null && s.isOpen();
    }

    void close() {
        Session s = session;
        if (s != null) {
            s.close(1000, "bye", Callback.NOOP);
        }
    }

    /** Waits for the close status; fails after 5 s. */
    int awaitClose() throws Exception {
        return closeStatus.get(5, TimeUnit.SECONDS);
    }
}
