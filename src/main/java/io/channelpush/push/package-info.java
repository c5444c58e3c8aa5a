/**
 * The push node: the pusher WebSocket endpoint and the application-scoped {@link io.channelpush.push.PushNode}
 * (connection registry, groups, users, delivery of the bus's messages with their stream positions in plain text or
 * JSON, the {@code recover} command) it uses; the HTTP publisher that feeds the node lives in
 * {@link io.channelpush.push.publish} and the node does not know it. Built once per deployment by
 * {@link io.channelpush.push.PushContextListener}, the one place that wires and registers everything; no mutable
 * static state, so several nodes can run in one JVM. Whether a publish may wait on the bus is decided once, by
 * {@link io.channelpush.push.PublishDispatch}. On Undertow (WildFly, the launcher) two paths go below the Jakarta
 * APIs, each with a portable twin: frames are written below Undertow's WebSocket channel ({@code UndertowFrameSender}
 * and its {@code FrameGate}, else {@code JakartaFrameSender}) and publishes are answered on the I/O thread (the publisher's
 * {@code PublishHandler}, installed by {@link io.channelpush.push.UndertowExtension}, else its servlet).
 */
package io.channelpush.push;
