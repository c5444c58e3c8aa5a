/**
 * Authentication of the publisher API: HMAC-SHA256 request signatures ({@link io.channelpush.push.auth.PublishSigner}
 * signs, {@link io.channelpush.push.auth.PublishAuthenticator} verifies, with a replay cache) and plain bearer tokens.
 */
package io.channelpush.push.auth;
