/**
 * Operations: health checks ({@code /health/live}, {@code /health/ready}), Prometheus metrics ({@code /metrics})
 * and the JMX view of a node. All read the node's {@link io.channelpush.push.PushMetrics}; one instance per
 * deployment, no statics.
 */
package io.channelpush.push.ops;
