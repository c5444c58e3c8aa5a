/**
 * The channel daemon: a pub/sub and work-queue server speaking protocol versions 1 and 2 over TCP.
 * {@link io.channelpush.channel.daemon.ChannelDaemon} is the embeddable server,
 * {@link io.channelpush.channel.daemon.DaemonMain} its command line and
 * {@link io.channelpush.channel.daemon.DaemonConfig} with {@link io.channelpush.channel.daemon.StreamSettings} its settings; everything else is package-private: the
 * event loop ({@code EventLoop}, {@code Listening}, {@code Connections}, {@code Connection}), the semantics
 * ({@code Broker}, {@code Publishing}, {@code WorkQueues}, {@code StreamService} with {@code StreamAcks}) and the
 * stream store ({@code Streams}, {@code StreamLog}, {@code Segment}, {@code Epoch}).
 */
package io.channelpush.channel.daemon;
