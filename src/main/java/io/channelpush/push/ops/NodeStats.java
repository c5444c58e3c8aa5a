package io.channelpush.push.ops;

import io.channelpush.push.PushMetrics;
import io.channelpush.push.PushNode;

/** {@link NodeStatsMXBean} over one node: every read is live. Thread-safe. */
public final class NodeStats implements NodeStatsMXBean {
    private final PushNode node;
    private final PushMetrics m;

    public NodeStats(PushNode node) {
        this.node = node;
        this.m = node.metrics();
    }

    @Override
    public String getWorkerId() {
        return node.workerId();
    }

    @Override
    public boolean isReady() {
        return node.health().ready();
    }

    @Override
    public boolean isBusConnected() {
        return node.health().busConnected();
    }

    @Override
    public int getOpenConnections() {
        return node.connectionCount();
    }

    @Override
    public int getGroups() {
        return node.groupCount();
    }

    @Override
    public long getConnectionsOpened() {
        return m.connectionsOpened();
    }

    @Override
    public long getClientMessages() {
        return m.clientMessages();
    }

    @Override
    public long getMessagesDelivered() {
        return m.delivered();
    }

    @Override
    public long getBroadcastPublishes() {
        return m.publishedBroadcast();
    }

    @Override
    public long getTargetedPublishes() {
        return m.publishedTargeted();
    }

    @Override
    public long getGroupPublishes() {
        return m.publishedGroup();
    }

    @Override
    public long getPublishFailures() {
        return m.publishFailures();
    }

    @Override
    public long getChannelReconnects() {
        return m.channelReconnects();
    }

    @Override
    public long getSlowClientDisconnects() {
        return m.slowClientDisconnects();
    }

    @Override
    public long getPublishAcksPending() {
        return m.publishAcksPending();
    }

    @Override
    public long getPublishAcks() {
        return m.publishAcks();
    }

    @Override
    public long getPublishAckMicrosTotal() {
        return m.publishAckMicrosTotal();
    }

    @Override
    public long getMessagesRecovered() {
        return m.messagesRecovered();
    }

    @Override
    public long getRecoveries() {
        return m.recoveries();
    }

    @Override
    public long getRecoveriesUnrecoverable() {
        return m.recoveriesUnrecoverable();
    }
}
