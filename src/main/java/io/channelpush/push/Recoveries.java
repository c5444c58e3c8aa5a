package io.channelpush.push;

import com.google.gson.JsonElement;
import io.channelpush.push.bus.MessageBus;
import java.util.List;
import java.util.concurrent.Semaphore;

/**
 * The node's {@code recover} commands: at most {@code channelpush.max-history-requests} run at once (each has at
 * most one history request in flight to the bus; a recover beyond is refused with {@code unavailable} and the
 * client retries), each replaying at most {@code channelpush.max-recover-messages}. Thread-safe.
 */
final class Recoveries {
    /** {@code recover} commands one connection may send per minute. */
    static final int PER_CONNECTION_PER_MINUTE = 6;

    private final MessageBus bus;
    private final PushMetrics metrics;
    private final int maxMessages;
    private final Semaphore running;

    Recoveries(MessageBus bus, PushMetrics metrics, int maxMessages, int maxRunning) {
        this.bus = bus;
        this.metrics = metrics;
        this.maxMessages = maxMessages;
        this.running = new Semaphore(maxRunning);
    }

    /** Why a recover did not start. */
    enum Refused { BUSY_NODE, RUNNING }

    /**
     * Marks {@code wants} recovering on {@code s}, runs {@code beforeReplay} (joining the groups: after the mark,
     * so that no live message falls between them), and starts the replay.
     *
     * @return null when started, else why not (nothing changed then)
     */
    Refused start(PushSession s, List<Recovery.Want> wants, JsonElement id, Runnable beforeReplay) {
        if (!running.tryAcquire()) {
            return Refused.BUSY_NODE;
        }
        Recovery r = new Recovery(s, this, wants, id);
        if (!r.mark()) {
            running.release();
            return Refused.RUNNING;
        }
        beforeReplay.run();
        r.run();
        return null;
    }

    MessageBus bus() {
        return bus;
    }

    PushMetrics metrics() {
        return metrics;
    }

    int maxMessages() {
        return maxMessages;
    }

    void release() {
        running.release();
    }
}
