/**
 * The HTTP publisher: {@link io.channelpush.push.publish.Publishing} holds its rules (parameters, limits,
 * authentication through {@link io.channelpush.push.auth}, the answers) and calls the node's public publishing
 * methods ({@link io.channelpush.push.PushNode#broadcast}, {@code pushTo}, {@code sendToGroup}, and through
 * {@link io.channelpush.push.publish.UserRequests} {@code pushToUser}, {@code userGroup}, {@code bindUid}); two carriers hand
 * it requests: {@link io.channelpush.push.publish.PublishHandler} on Undertow's I/O thread and
 * {@link io.channelpush.push.publish.PublisherServlet} anywhere. The node never calls into this package; the
 * deployment's wiring ({@code PushContextListener}) builds one {@code Publishing} per node and registers the
 * servlet. Thread safety: every class here is thread-safe and holds no per-request state; the only shared mutable
 * state is the authenticator's replay cache (thread-safe) and a once-only warning flag (atomic). No statics.
 */
package io.channelpush.push.publish;
