package io.channelpush.push;

import io.channelpush.push.bus.BusUnavailableException;
import io.channelpush.push.bus.Channels;
import io.channelpush.push.bus.MessageBus;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * What a node does when its bus connects, drops, resumes a stream with a gap or grants or refuses its worker id:
 * counts it in the metrics and logs one line; when the bus lost changes of the users' groups for this node (a gap in
 * the {@code u} stream, or a reconnection while {@code u} is no stream), the node copies them again. A thread of the
 * bus that dies, or a bus that stopped for good, is the node's fatal error. Called on the bus's threads; thread-safe
 * (it keeps no state of its own).
 */
final class NodeBusListener implements MessageBus.Listener {
    // the node's logger: operators filter on it, and the node's lines stay together
    private static final Logger LOG = Logger.getLogger(PushNode.class.getName());

    private final String workerId;
    private final PushMetrics metrics;
    /** The bus; read lazily, as the bus is built with this listener. */
    private final Supplier<MessageBus> bus;
    /** Told why, when the bus lost changes of the users' groups for this node. */
    private final Consumer<String> missedUserChanges;
    private final BiConsumer<Thread, Throwable> threadDied;
    /** Told when the bus stopped for good: the node's fatal error. */
    private final Consumer<BusUnavailableException> failed;

    NodeBusListener(String workerId, PushMetrics metrics, Supplier<MessageBus> bus, Consumer<String> missedUserChanges,
            BiConsumer<Thread, Throwable> threadDied, Consumer<BusUnavailableException> failed) {
        this.workerId = workerId;
        this.metrics = metrics;
        this.bus = bus;
        this.missedUserChanges = missedUserChanges;
        this.threadDied = threadDied;
        this.failed = failed;
    }

    @Override
    public void onConnected(boolean reconnect) {
        if (reconnect) {
            metrics.channelReconnects.increment();
            MessageBus b = bus.get();
            if (b != null && b.streamPosition(Channels.USERS) == null) {
                missedUserChanges.accept("bus reconnected and it does not keep the users' channel as a "
                        + "stream, so changes made meanwhile are lost for this node");
            }
        }
        LOG.info(() -> "worker " + workerId + ": bus " + (reconnect ? "restored" : "connected")
                + " (" + describeBus() + ")");
    }

    /**
     * The bus's description for a log line. The bus may call this listener from its own threads before the node's
     * constructor has stored the bus (a fast connection and claim at start): then it is not known yet, and a log line
     * must not kill the bus thread with a NullPointerException (it did, and the node never held its worker id).
     */
    private String describeBus() {
        MessageBus b = bus.get();
        return b == null ? "the bus (still being set up)" : b.describe();
    }

    @Override
    public void onDisconnected(String reason) {
        LOG.warning(() -> "worker " + workerId + ": bus lost (" + reason + "); publishes are "
                + "buffered until it is back");
    }

    @Override
    public void threadDied(Thread thread, Throwable error) {
        threadDied.accept(thread, error);
    }

    @Override
    public void failed(BusUnavailableException why) {
        failed.accept(why);
    }

    @Override
    public void onStreamGap(String channel, String epoch) {
        if (Channels.USERS.equals(channel)) {
            missedUserChanges.accept("the users' stream resumed with a gap (epoch " + epoch + ")");
        }
        metrics.streamGaps.increment(); // after: a test that sees the gap sees the table incomplete
        LOG.warning(() -> "worker " + workerId + ": stream " + channel + " resumed with a gap "
                + "(epoch " + epoch + "): its clients missed messages the bus no longer has");
    }

    @Override
    public void onExclusiveHeld(String channel) {
        LOG.info(() -> "worker " + workerId + ": worker id claimed on " + describeBus());
    }

    @Override
    public void onExclusiveRefused(String channel, String detail) {
        LOG.severe(() -> "worker id " + workerId + " is already used by another node connected to "
                + describeBus() + " (" + detail + "); give each node its own --worker-id "
                + "(channelpush.worker-id). This node stays not ready (/health/ready answers 503) and "
                + "receives no pushes addressed to " + workerId + " until the other node is gone");
    }
}
