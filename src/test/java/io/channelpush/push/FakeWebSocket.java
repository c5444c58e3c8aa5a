package io.channelpush.push;

import jakarta.websocket.CloseReason;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * A Jakarta WebSocket connection with no socket, for driving {@link JakartaFrameSender} (the portable sender no
 * socket test executes, the launcher and WildFly being Undertow): {@link #session()} is a {@link Session} (a JDK
 * proxy answering the few methods the node calls, failing loudly on any other) whose asynchronous remote
 * ({@link Remote}) records the calls it gets as lines ({@code batching:true}, {@code text:<t>}, {@code flush},
 * {@code ping}) and keeps each text's {@link SendHandler} until the test completes it, like a container whose
 * socket is full until then. Thread-safe (records under its lock).
 */
final class FakeWebSocket {
    private final List<String> calls = new ArrayList<>();
    private final List<SendHandler> pending = new ArrayList<>();
    private final Remote remote = new Remote();
    private final Session session;
    private boolean open = true;
    private CloseReason closeReason;
    private Consumer<FakeWebSocket> onClose = f -> { };

    FakeWebSocket() {
        this(java.util.Map.of());
    }

    /** @param parameters the handshake's query parameters ({@code format=json}) */
    FakeWebSocket(java.util.Map<String, List<String>> parameters) {
        session = (Session) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Session.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "getAsyncRemote" -> remote;
                    case "isOpen" -> isOpen();
                    case "close" -> {
                        close(args == null ? new CloseReason(CloseReason.CloseCodes.NORMAL_CLOSURE, "")
                                : (CloseReason) args[0]);
                        yield null;
                    }
                    case "getId" -> Integer.toHexString(System.identityHashCode(this));
                    case "getUserProperties" -> new HashMap<String, Object>();
                    case "getRequestParameterMap" -> parameters;
                    case "setMaxTextMessageBufferSize", "setMaxBinaryMessageBufferSize" -> null;
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    case "toString" -> "FakeWebSocket";
                    default -> throw new UnsupportedOperationException("the fake session has no " + method.getName());
                });
    }

    Session session() {
        return session;
    }

    /** Called when the node closes the session, as the container's onClose would be. */
    void onClose(Consumer<FakeWebSocket> hook) {
        this.onClose = hook;
    }

    synchronized boolean isOpen() {
        return open;
    }

    /** The reason the node closed with, or null while open. */
    synchronized CloseReason closeReason() {
        return closeReason;
    }

    synchronized List<String> calls() {
        return List.copyOf(calls);
    }

    synchronized List<String> texts() {
        return calls.stream().filter(e -> e.startsWith("text:")).map(e -> e.substring(5)).toList();
    }

    /** Completes every text handed over so far, successfully or with {@code failure}. */
    void completeAll(Throwable failure) {
        List<SendHandler> done;
        synchronized (this) {
            done = List.copyOf(pending);
            pending.clear();
        }
        for (SendHandler h : done) {
            h.onResult(failure == null ? new SendResult() : new SendResult(failure));
        }
    }

    private void close(CloseReason reason) {
        synchronized (this) {
            if (!open) {
                return;
            }
            open = false;
            closeReason = reason;
        }
        onClose.accept(this);
    }

    private synchronized void record(String call) {
        calls.add(call);
    }

    /** The asynchronous remote endpoint: records, and keeps handlers for {@link #completeAll}. */
    final class Remote implements RemoteEndpoint.Async {
        private boolean batching;

        @Override
        public void setBatchingAllowed(boolean allowed) {
            batching = allowed;
            record("batching:" + allowed);
        }

        @Override
        public boolean getBatchingAllowed() {
            return batching;
        }

        @Override
        public void flushBatch() {
            record("flush");
        }

        @Override
        public void sendPing(ByteBuffer applicationData) {
            record("ping");
        }

        @Override
        public void sendPong(ByteBuffer applicationData) {
            record("pong");
        }

        @Override
        public void sendText(String text, SendHandler handler) {
            synchronized (FakeWebSocket.this) {
                calls.add("text:" + text);
                pending.add(handler);
            }
        }

        @Override
        public long getSendTimeout() {
            return 0;
        }

        @Override
        public void setSendTimeout(long timeoutmillis) {
        }

        @Override
        public Future<Void> sendText(String text) {
            throw new UnsupportedOperationException("the node sends with a SendHandler");
        }

        @Override
        public Future<Void> sendBinary(ByteBuffer data) {
            throw new UnsupportedOperationException("the node sends no binary messages");
        }

        @Override
        public void sendBinary(ByteBuffer data, SendHandler handler) {
            throw new UnsupportedOperationException("the node sends no binary messages");
        }

        @Override
        public Future<Void> sendObject(Object data) {
            throw new UnsupportedOperationException("the node sends no objects");
        }

        @Override
        public void sendObject(Object data, SendHandler handler) {
            throw new UnsupportedOperationException("the node sends no objects");
        }
    }
}
