package io.channelpush.push;

import java.util.function.Consumer;

/**
 * What every session of a node shares: its limits and where it reports a close it decided. One per node (built by
 * {@link ConnectionRegistry}), so that a connection holds one reference instead of a copy of each. Immutable;
 * thread-safe as its parts are.
 *
 * @param queueBytes bytes queued for one client before it is closed as too slow (1013)
 * @param commandsPerSecond messages per second a client may send ({@link ClientRates})
 * @param onSlow told once about each session closed for letting its queue fill up
 * @param closeLog the node's rate-limited log of the closes a client can provoke
 */
record SessionLimits(long queueBytes, int commandsPerSecond, Consumer<PushSession> onSlow, ClientCloseLog closeLog) {
}
