package io.channelpush.push;

import io.channelpush.push.auth.ConnectionIdentity;
import io.channelpush.push.bus.Channels;
import io.channelpush.push.bus.StreamPosition;
import jakarta.websocket.Session;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * Opens and closes a node's sessions. {@link #open}: registers the session with its format, claims its connection
 * slot, refuses it (node stopping, token missing, node full) or binds its user and queues the welcome.
 * {@link #closed}: gives back everything the session held (its recovery, its slot, its place in the connection,
 * user and group registries). Called from the endpoint's onOpen and onClose; thread-safe (the registries are).
 */
final class SessionLifecycle {
    private final String workerId;
    private final ConnectionRegistry connections;
    private final ConnectionSlots slots;
    private final UserRegistry users;
    private final GroupRegistry groups;
    private final PushMetrics metrics;
    private final boolean tokensRequired;
    private final BooleanSupplier stopping;
    /** See {@link PushNode#lastDelivered}. */
    private final Function<String, StreamPosition> lastDelivered;

    SessionLifecycle(String workerId, ConnectionRegistry connections, ConnectionSlots slots, UserRegistry users,
            GroupRegistry groups, PushMetrics metrics, boolean tokensRequired, BooleanSupplier stopping,
            Function<String, StreamPosition> lastDelivered) {
        this.workerId = workerId;
        this.connections = connections;
        this.slots = slots;
        this.users = users;
        this.groups = groups;
        this.metrics = metrics;
        this.tokensRequired = tokensRequired;
        this.stopping = stopping;
        this.lastDelivered = lastDelivered;
    }

    /** @param identity from the connection's token, or null (anonymous; refused when connection keys are set) */
    PushSession open(Session session, ConnectionIdentity identity) {
        PushSession s = connections.register(session, p -> {
            List<String> format = session.getRequestParameterMap() == null ? null
                    : session.getRequestParameterMap().get("format");
            p.json = format != null && format.contains("json");
            if (p.json && wantsRecover(session)) {
                p.streams().awaitRecover();
            }
        });
        metrics.connectionsOpened.increment();
        s.holdsSlot = slots.claim();
        s.identity = identity;
        if (stopping.getAsBoolean()) {
            s.close(CloseCode.SHUTDOWN);
            return s;
        }
        if (tokensRequired && identity == null) {
            s.close(CloseCode.NO_TOKEN);
            return s;
        }
        if (!s.holdsSlot) {
            s.close(CloseCode.NODE_FULL);
            return s;
        }
        if (identity != null) {
            users.bind(s, identity.userId());
        }
        // after binding the user: any later push to it has a higher offset than the welcome's and reaches s
        s.send(s.json ? Frames.welcome(workerId, s.id, lastDelivered.apply(Channels.BROADCAST),
                        identity == null ? null : identity.userId(), lastDelivered.apply(Channels.USERS))
                : "workerID:" + workerId + " connectionID:" + s.id + " connected\n");
        return s;
    }

    /** {@code ?recover=1}: the client sends {@code recover} first; its stream messages wait for it (bounded). */
    private static boolean wantsRecover(Session session) {
        List<String> r = session.getRequestParameterMap() == null ? null
                : session.getRequestParameterMap().get("recover");
        return r != null && r.contains("1");
    }

    void closed(PushSession s) {
        s.markClosed();
        Recovery r = s.recovery();
        if (r != null) {
            r.abandon();
        }
        if (s.holdsSlot) {
            s.holdsSlot = false;
            slots.release();
        }
        connections.remove(s);
        users.unbind(s);
        groups.leaveAll(s);
    }
}
