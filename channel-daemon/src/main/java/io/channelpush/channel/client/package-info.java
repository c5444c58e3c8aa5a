/**
 * Java client of the channel daemon: {@link io.channelpush.channel.client.ChannelClient} with its
 * {@link io.channelpush.channel.client.ClientOptions}. The socket handling is package-private.
 */
package io.channelpush.channel.client;
