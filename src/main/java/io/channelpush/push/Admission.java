package io.channelpush.push;

import io.channelpush.push.auth.ConnectionTokens;

/**
 * What a WebSocket handshake is checked against on this node, in the order {@link HandshakeFilter} checks it: the
 * allowed origins, the connection tokens ({@code tokens} is null when connections are anonymous: no
 * {@code channelpush.connection-keys}), and the node's {@code channelpush.max-connections} slots. The endpoint's
 * configurator checks the same origins and tokens where the filter did not run first. Immutable holder; each part
 * is thread-safe.
 */
record Admission(OriginPolicy origins, ConnectionTokens tokens, ConnectionSlots slots) {
    /** Whether every connection carries its token's user id (connection keys are set). */
    boolean tokensRequired() {
        return tokens != null;
    }
}
