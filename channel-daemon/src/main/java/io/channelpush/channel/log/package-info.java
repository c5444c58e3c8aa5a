/**
 * Logging shared by the channel daemon, its client and the push node: {@link io.channelpush.channel.log.RateLimitedLog}
 * for log events a remote party can trigger at will. Depends on nothing but the JDK, so that every other package
 * may use it.
 */
package io.channelpush.channel.log;
