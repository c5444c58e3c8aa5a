/**
 * Wire protocol v1 of the channel daemon, shared by the daemon and the client: framing
 * ({@link io.channelpush.channel.protocol.FrameCodec}, {@link io.channelpush.channel.protocol.FrameDecoder}),
 * message types and error codes. The protocol itself is described in {@code channel-daemon/PROTOCOL.md}.
 */
package io.channelpush.channel.protocol;
