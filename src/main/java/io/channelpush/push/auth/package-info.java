/**
 * Authentication of the publisher API: HMAC-SHA256 request signatures ({@link io.channelpush.push.auth.PublishSigner}
 * signs, {@link io.channelpush.push.auth.PublishAuthenticator} verifies, with a replay cache) and plain bearer tokens;
 * and of WebSocket clients: JWT connection tokens ({@link io.channelpush.push.auth.ConnectionTokens} verifies them
 * into a {@link io.channelpush.push.auth.ConnectionIdentity}); {@link io.channelpush.push.auth.UserIds} is what a user
 * id may be, for tokens and the publisher alike.
 */
package io.channelpush.push.auth;
