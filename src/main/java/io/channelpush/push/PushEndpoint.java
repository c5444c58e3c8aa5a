package io.channelpush.push;

import io.channelpush.channel.log.RateLimitedLog;
import io.channelpush.push.auth.ConnectionIdentity;
import io.channelpush.push.auth.ConnectionTokens;
import jakarta.websocket.CloseReason;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.OnClose;
import jakarta.websocket.OnError;
import jakarta.websocket.OnMessage;
import jakarta.websocket.OnOpen;
import jakarta.websocket.PongMessage;
import jakarta.websocket.Session;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.websocket.server.ServerEndpointConfig;
import java.nio.ByteBuffer;
import java.util.logging.Level;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * The pusher: one instance per WebSocket connection. On open it greets the client with
 * {@code workerID:<w> connectionID:<c> connected\n}; text messages are group commands ({@link ClientCommands});
 * on close the connection leaves its groups. Registered by {@link PushContextListener} through a
 * {@link ServerEndpointConfig} whose {@link Factory} hands each instance its node, so that WildFly and the
 * embedded launcher wire it the same way. No {@code @ServerEndpoint} on purpose: a scanning container would
 * register it a second time. Messages are taken part by part ({@link InboundMessage}): a client's message is
 * never held beyond {@code channelpush.max-client-message-bytes}, which closes the connection with 1009 as soon as
 * the bytes received pass it. The container calls one instance from one thread at a time.
 */
public final class PushEndpoint {
    private static final Logger LOG = Logger.getLogger(PushEndpoint.class.getName());
    /** The user property (of the per-connection endpoint config) holding the connection's identity. */
    private static final String IDENTITY = ConnectionIdentity.class.getName();

    /** The node and what its connections share. */
    private final Factory shared;
    /** Made by the client's first message: an idle connection never needs one. */
    private InboundMessage inbound;
    private PushSession me;

    private PushEndpoint(Factory shared) {
        this.shared = shared;
    }

    @OnOpen
    public void onOpen(Session session, EndpointConfig config) {
        PushNode node = shared.node;
        session.setMaxTextMessageBufferSize(node.config().maxClientMessageBytes());
        session.setMaxBinaryMessageBufferSize(node.config().maxClientMessageBytes());
        me = node.open(session, config.getUserProperties().get(IDENTITY) instanceof ConnectionIdentity id ? id : null);
    }

    /** A part of a text message; {@code last} ends the message. */
    @OnMessage
    public void onText(String part, boolean last) {
        InboundMessage in = inbound();
        switch (in.text(part, last)) {
            case WHOLE -> {
                shared.node.metrics().clientMessages.increment();
                if (me.rates().admitCommand()) {
                    shared.commands.handle(me, in.take());
                }
            }
            case TOO_BIG -> me.closeTooBig(shared.node.config().maxClientMessageBytes());
            case PART, DISCARDED -> { }
        }
    }

    /** Binary messages carry no command; they are only counted against the limit. */
    @OnMessage
    public void onBinary(ByteBuffer part, boolean last) {
        if (inbound().binary(part.remaining(), last) == InboundMessage.Verdict.TOO_BIG) {
            me.closeTooBig(shared.node.config().maxClientMessageBytes());
        }
    }

    private InboundMessage inbound() {
        if (inbound == null) {
            inbound = new InboundMessage(shared.node.config().maxClientMessageBytes());
        }
        return inbound;
    }

    @OnMessage
    public void onPong(PongMessage pong) {
        me.pongReceived();
    }

    @OnClose
    public void onClose(CloseReason reason) {
        if (me != null) {
            shared.node.closed(me);
        }
    }

    @OnError
    public void onError(Throwable t) {
        LOG.fine(() -> "connection " + (me == null ? "?" : me.id) + ": " + t);
    }

    /** Creates endpoint instances wired to one node. */
    static final class Factory extends ServerEndpointConfig.Configurator {
        private final PushNode node;
        private final RateLimitedLog badOrigin = new RateLimitedLog(LOG, Level.INFO);

        /** Holds nothing of a connection's own: one for all the node's connections. */
        private final ClientCommands commands;
        private final HandshakeVerdicts verdicts;

        /** @param verdicts the tokens {@link HandshakeFilter} accepted, for the handshakes it passes on */
        Factory(PushNode node, HandshakeVerdicts verdicts) {
            this.node = node;
            this.commands = new ClientCommands(node);
            this.verdicts = verdicts;
        }

        @Override
        public <T> T getEndpointInstance(Class<T> endpointClass) {
            return endpointClass.cast(new PushEndpoint(this));
        }

        /**
         * Takes the connection token's verdict from {@link HandshakeFilter} (which refused the handshake with 401
         * if it was not valid), or verifies the token where the filter did not run first, to hand the connection
         * its identity through the config's user properties, which are the connection's own
         * (Jakarta WebSocket 2.1; Undertow's PerConnectionServerEndpointConfig, ConnectionTokenTest's
         * eachConnectionKeepsItsOwnIdentity). A connection
         * that comes without one while keys are set is closed on open ({@link CloseCode#NO_TOKEN}).
         */
        @Override
        public void modifyHandshake(ServerEndpointConfig sec, HandshakeRequest request, HandshakeResponse response) {
            ConnectionTokens tokens = node.admission().tokens();
            if (tokens == null) {
                return;
            }
            ConnectionTokens.Verdict checked = verdicts.take();
            if (checked != null) {
                if (checked.accepted()) {
                    sec.getUserProperties().put(IDENTITY, checked.identity());
                }
                return;
            }
            List<String> authorizations = null;
            for (Map.Entry<String, List<String>> h : request.getHeaders().entrySet()) {
                if (h.getKey().equalsIgnoreCase("Authorization")) {
                    authorizations = h.getValue();
                }
            }
            ConnectionTokens.Verdict v = HandshakeToken.verify(tokens,
                    request.getParameterMap().get(HandshakeToken.PARAMETER), authorizations);
            if (v.accepted()) {
                sec.getUserProperties().put(IDENTITY, v.identity());
            }
        }

        /** Refused origins get 403 from the container. */
        @Override
        public boolean checkOrigin(String origin) {
            boolean ok = node.admission().origins().allows(origin);
            if (!ok) {
                badOrigin.log(() -> "worker " + node.workerId() + " refused a WebSocket from origin " + origin);
            }
            return ok;
        }
    }
}
