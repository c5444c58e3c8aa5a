package io.channelpush.push;

import jakarta.websocket.CloseReason;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * A {@link FrameSender} with no socket, for the delivery engine's tests: it records what a drain hands it as
 * lines ({@code text:<t>}, {@code ping}, {@code flush}, {@code close:<code>:<reason>},
 * {@code abort:<code>:<reason>}), and reports each text written at once, or never (a client that stopped
 * reading: the session's queue keeps counting those bytes). Thread-safe (records under its lock).
 */
final class RecordingFrameSender implements FrameSender {
    private final Executor executor;
    private final boolean completes;
    private final List<String> events = new ArrayList<>();
    private Listener listener;

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
        record("text:" + m.text);
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
