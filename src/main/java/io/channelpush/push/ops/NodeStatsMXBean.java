package io.channelpush.push.ops;

/**
 * The figures of one push node as a JMX MXBean, registered as
 * {@code io.channelpush:type=PushNode,worker=<worker id>} while the deployment runs (JConsole, WildFly's
 * management tooling). Same figures as {@code /metrics}.
 */
public interface NodeStatsMXBean {
    String getWorkerId();

    boolean isReady();

    boolean isBusConnected();

    int getOpenConnections();

    int getGroups();

    long getConnectionsOpened();

    long getClientMessages();

    long getMessagesDelivered();

    long getBroadcastPublishes();

    long getTargetedPublishes();

    long getGroupPublishes();

    long getPublishFailures();

    long getChannelReconnects();

    long getSlowClientDisconnects();

    long getPublishAcksPending();

    long getPublishAcks();

    long getPublishAckMicrosTotal();

    long getMessagesRecovered();

    long getRecoveries();

    long getRecoveriesUnrecoverable();
}
