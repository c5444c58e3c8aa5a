package io.channelpush.push;

import io.channelpush.push.auth.ConnectionTokens;

/**
 * Hands a handshake's connection-token verdict from {@link HandshakeFilter} to the endpoint's configurator, so that
 * an accepted token is parsed and its HMAC checked once rather than twice. The container runs the configurator's
 * {@code modifyHandshake} on the filter's thread, inside the filter's {@code chain.doFilter} for the same request
 * (Undertow's Jakarta WebSocket filter stands after ours); a configurator that finds nothing here (a container that
 * upgraded before or without the filter) verifies the token itself. One per deployment. Thread-safe: each thread
 * sees only the verdict of the handshake it is running.
 */
final class HandshakeVerdicts {
    private final ThreadLocal<ConnectionTokens.Verdict> current = new ThreadLocal<>();

    /** Makes {@code verdict} available to {@link #take} on this thread until {@link #clear}. */
    void offer(ConnectionTokens.Verdict verdict) {
        current.set(verdict);
    }

    /** Ends the handshake this thread was running (in a finally: pooled threads run other requests next). */
    void clear() {
        current.remove();
    }

    /** The verdict of the handshake this thread is upgrading, or null; taken once. */
    ConnectionTokens.Verdict take() {
        ConnectionTokens.Verdict v = current.get();
        current.remove();
        return v;
    }
}
