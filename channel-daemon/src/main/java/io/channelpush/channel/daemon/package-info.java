/**
 * The channel daemon: a pub/sub and work-queue server speaking protocol v1 over TCP.
 * {@link io.channelpush.channel.daemon.ChannelDaemon} is the embeddable server and
 * {@link io.channelpush.channel.daemon.DaemonMain} its command line; everything else is package-private.
 */
package io.channelpush.channel.daemon;
