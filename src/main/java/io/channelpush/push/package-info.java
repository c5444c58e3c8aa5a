/**
 * The web application: the pusher WebSocket endpoint, the publisher servlet, and the application-scoped
 * {@link io.channelpush.push.PushNode} that both use (connection registry, groups, delivery). Built once per
 * deployment by {@link io.channelpush.push.PushContextListener}; no mutable static state, so several nodes can
 * run in one JVM. On Undertow (WildFly, the launcher) two paths go below the Jakarta APIs, each with a portable
 * twin: frames are queued on Undertow's WebSocket channel ({@code UndertowFrameSender}, else
 * {@code JakartaFrameSender}) and publishes are answered on the I/O thread ({@code PublishHandler}, installed by
 * {@link io.channelpush.push.UndertowExtension}, else {@link io.channelpush.push.PublisherServlet}).
 */
package io.channelpush.push;
