/**
 * The web application: the pusher WebSocket endpoint, the publisher servlet, and the application-scoped
 * {@link io.channelpush.push.PushNode} that both use (connection registry, groups, delivery). Built once per
 * deployment by {@link io.channelpush.push.PushContextListener}; no mutable static state, so several nodes can
 * run in one JVM.
 */
package io.channelpush.push;
