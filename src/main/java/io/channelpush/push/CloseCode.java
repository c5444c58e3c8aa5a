package io.channelpush.push;

import jakarta.websocket.CloseReason;

/**
 * Why this node closes a WebSocket: the close code and the reason text the client reads, and what happens to the
 * messages still queued for it. Every close a node sends goes through {@link PushSession#close(CloseCode)} and
 * the session's queue, so the close frame is written by the session's one writer. Immutable.
 */
enum CloseCode {
    /** The node is stopping. */
    SHUTDOWN(1001, "node shutting down", false, false),
    /** The client stopped answering pings. */
    PING_TIMEOUT(1001, "ping timeout", false, false),
    /** The node has no free connection slot (a handshake that got past the filter). */
    NODE_FULL(1013, "node at its connection limit; try another node or later", false, false),
    /** The client let its send queue fill up ({@code channelpush.send-queue-bytes}); what was queued is dropped. */
    SLOW_CLIENT(1013, "slow client: send queue full", true, false),
    /** The client sent more than twice {@code channelpush.max-commands-per-second}; after the queued error. */
    TOO_CHATTY(1008, "too many messages per second", false, false),
    /**
     * A client message passed {@code channelpush.max-client-message-bytes}: the close goes out ahead of anything
     * queued and the connection is cut once it is written, without reading the rest or waiting for the client.
     */
    TOO_BIG(1009, "message too big", true, true),
    /** Writing to the connection failed; the socket is broken. */
    SEND_FAILED(1011, "send failed", true, false),
    /**
     * Connection keys are set but the connection came without a verified token: only when the container upgraded
     * it without running {@link HandshakeFilter}, which refuses such handshakes with 401.
     */
    NO_TOKEN(1008, "a valid connection token is required", true, false);

    private final int code;
    private final String reason;
    private final boolean discardsQueue;
    private final boolean abortive;

    CloseCode(int code, String reason, boolean discardsQueue, boolean abortive) {
        this.code = code;
        this.reason = reason;
        this.discardsQueue = discardsQueue;
        this.abortive = abortive;
    }

    /** The code on the wire (RFC 6455 section 7.4). */
    int code() {
        return code;
    }

    /** The default reason text. */
    String reason() {
        return reason;
    }

    /** Whether the messages still queued are dropped rather than sent before the close frame. */
    boolean discardsQueue() {
        return discardsQueue;
    }

    /** Whether the connection is cut once the close frame is written, without waiting for the client's close. */
    boolean abortive() {
        return abortive;
    }

    /** The Jakarta form, with {@code reason} as its text (at most 123 bytes on the wire). */
    CloseReason toReason(String reason) {
        return new CloseReason(CloseReason.CloseCodes.getCloseCode(code), reason);
    }
}
