/**
 * The HTTP publisher: {@link io.channelpush.push.publish.Publishing} holds its rules (parameters, limits,
 * authentication through {@link io.channelpush.push.auth}) and publishes through the node's
 * {@link io.channelpush.push.PushNode#publishAcked} (users' requests through
 * {@link io.channelpush.push.publish.UserRequests}); {@link io.channelpush.push.publish.PublishAnswers} turns what
 * the bus did into the answer ({@code ok}, 503, 504) as a future, which two carriers write when it completes,
 * never blocking a thread: {@link io.channelpush.push.publish.PublishHandler} on Undertow's I/O thread and
 * {@link io.channelpush.push.publish.PublisherServlet} anywhere. The node never calls into this package; the
 * deployment's wiring ({@code PushContextListener}) builds one {@code Publishing} per node and registers the
 * servlet. Thread safety: every class here is thread-safe and holds no per-request state; the only shared mutable
 * state is the authenticator's replay cache (thread-safe) and a once-only warning flag (atomic). No statics.
 */
package io.channelpush.push.publish;
