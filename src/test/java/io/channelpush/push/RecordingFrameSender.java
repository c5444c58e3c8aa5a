package io.channelpush.push;

import jakarta.websocket.CloseReason;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * A {@link FrameSender} with no socket, for the delivery engine's tests: it records what a drain hands it as
 * lines ({@code text:<t>}, {@code ping}, {@code flush}, {@code close:<code>:<reason>},
 * {@code abort:<code>:<reason>}), and reports each text written at once, or never (a client that stopped
 * reading: the session's queue keeps counting those bytes). A text can be made to fail ({@link #failOn}, recorded as
 * {@code failed:<t>}) or to run an action as it is handed over ({@link #whenSending}). Thread-safe (records under its
 * lock).
 */
final class RecordingFrameSender implements FrameSender {
    private final Executor executor;
    private final boolean completes;
    private final List<String> events = new ArrayList<>();
    private Listener listener;
    private final Map<String, Runnable> onSend = new ConcurrentHashMap<>();

    /**
     * @param executor where the session's drains run
     * @param completes whether each text is reported written as soon as it is handed over
     */
    RecordingFrameSender(Executor executor, boolean completes) {
        this.executor = executor;
        this.completes = completes;
    }

    /** For {@link PushSession}'s constructor: keeps the listener. */
    FrameSender attach(Listener l) {
        this.listener = l;
        return this;
    }

    /** Makes the send of {@code text} throw, as a broken socket does. */
    void failOn(String text) {
        onSend.put(text, () -> {
            record("failed:" + text);
            throw new IllegalStateException("the test broke the send of " + text);
        });
    }

    /** Runs {@code action} (on the drain's thread) when {@code text} is handed over, after recording it. */
    void whenSending(String text, Runnable action) {
        onSend.put(text, () -> {
            record("text:" + text);
            action.run();
        });
    }

    /** What was recorded so far, in order. */
    synchronized List<String> events() {
        return List.copyOf(events);
    }

    /** The texts recorded so far, in order. */
    synchronized List<String> texts() {
        return events.stream().filter(e -> e.startsWith("text:")).map(e -> e.substring(5)).toList();
    }

    private synchronized void record(String e) {
        events.add(e);
    }

    @Override
    public Executor executor() {
        return executor;
    }

    @Override
    public void begin() {
    }

    @Override
    public void send(OutboundMessage m) {
        Runnable special = onSend.get(m.text);
        if (special != null) {
            special.run();
        } else {
            record("text:" + m.text);
        }
        if (completes) {
            listener.sent(m);
        }
    }

    @Override
    public void end() {
        record("flush");
    }

    @Override
    public void ping() {
        record("ping");
    }

    @Override
    public void close(CloseReason reason) {
        record("close:" + reason.getCloseCode().getCode() + ":" + reason.getReasonPhrase());
    }

    @Override
    public void abort(CloseReason reason) {
        record("abort:" + reason.getCloseCode().getCode() + ":" + reason.getReasonPhrase());
    }
}
