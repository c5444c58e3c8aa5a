package io.channelpush.push.ops;

import io.channelpush.push.PushMetrics;
import io.channelpush.push.PushNode;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;

/**
 * The node's figures in a Prometheus registry of its own (never the library's static default registry, so two
 * deployments in one JVM do not mix), written in the Prometheus text format. Thread-safe.
 */
public final class NodeMetrics {
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.builder()
            .setIncludeCreatedTimestamps(false).build();

    public NodeMetrics(PushNode node) {
        PushMetrics m = node.metrics();
        gauge("channelpush_connections", "Open WebSocket connections", () -> node.connectionCount());
        gauge("channelpush_groups", "Groups with at least one local member", () -> node.groupCount());
        gauge("channelpush_bus_connected", "1 while connected to the message bus", () -> node.health().busConnected() ? 1 : 0);
        gauge("channelpush_ready", "1 while ready (bus connected, worker id held and accepting)",
                () -> node.health().ready() ? 1 : 0);
        gauge("channelpush_user_groups_complete", "1 once the groups given to users are copied from another node "
                + "(0 from the start until then, and after the bus lost changes)", () -> node.health().userGroupsComplete() ? 1 : 0);
        counter("channelpush_connections_opened", "WebSocket connections opened", () -> m.connectionsOpened());
        counter("channelpush_client_messages", "Messages received from WebSocket clients", () -> m.clientMessages());
        counter("channelpush_messages_delivered", "Messages queued to WebSocket clients (pushes, broadcasts, groups)",
                () -> m.delivered());
        CounterWithCallback.builder().name("channelpush_publishes").help("Publishes accepted, by kind")
                .labelNames("kind")
                .callback(cb -> {
                    cb.call(m.publishedBroadcast(), "broadcast");
                    cb.call(m.publishedTargeted(), "targeted");
                    cb.call(m.publishedGroup(), "group");
                    cb.call(m.publishedToUser(), "user");
                }).register(registry);
        CounterWithCallback.builder().name("channelpush_publisher_requests")
                .help("Publisher requests answered, by where: Undertow's I/O thread or the servlet")
                .labelNames("path")
                .callback(cb -> {
                    cb.call(m.publishRequestsOnIoThread(), "io_thread");
                    cb.call(m.publishRequestsThroughServlet(), "servlet");
                }).register(registry);
        counter("channelpush_publish_failures", "Publishes refused because the bus could not take them",
                () -> m.publishFailures());
        counter("channelpush_channel_reconnects", "Reconnections to the message bus", () -> m.channelReconnects());
        counter("channelpush_slow_client_disconnects", "Clients closed with 1013 because their queue filled",
                () -> m.slowClientDisconnects());
        gauge("channelpush_publish_acks_pending", "Publishes waiting for the bus's acknowledgement",
                () -> m.publishAcksPending());
        counter("channelpush_publish_acks", "Publishes the bus acknowledged", () -> m.publishAcks());
        // a counter (exposed as ..._total): the client library refuses a gauge whose name ends in _total
        CounterWithCallback.builder().name("channelpush_publish_ack_seconds")
                .help("Sum of the times from publish to acknowledgement, seconds (divide by "
                        + "channelpush_publish_acks_total for the mean)")
                .callback(cb -> cb.call(m.publishAckMicrosTotal() / 1e6)).register(registry);
        counter("channelpush_messages_recovered", "Messages replayed to clients by recover", () -> m.messagesRecovered());
        counter("channelpush_recoveries", "recover commands completed", () -> m.recoveries());
        counter("channelpush_recoveries_unrecoverable", "Streams of recover commands answered false (client resyncs)",
                () -> m.recoveriesUnrecoverable());
        counter("channelpush_recoveries_unavailable", "recover commands answered unavailable: the bus's history "
                + "failed for too long (the client asks again)", () -> m.recoveriesUnavailable());
        counter("channelpush_stream_gaps", "Stream subscriptions of this node resumed with a gap the bus could not fill",
                () -> m.streamGaps());
    }

    private void gauge(String name, String help, DoubleSupplier value) {
        GaugeWithCallback.builder().name(name).help(help).callback(cb -> cb.call(value.getAsDouble()))
                .register(registry);
    }

    private void counter(String name, String help, LongSupplier value) {
        CounterWithCallback.builder().name(name).help(help).callback(cb -> cb.call(value.getAsLong()))
                .register(registry);
    }

    public String contentType() {
        return writer.getContentType();
    }

    public void write(OutputStream out) throws IOException {
        writer.write(out, registry.scrape(), io.prometheus.metrics.config.EscapingScheme.DEFAULT);
    }
}
