/**
 * Java client of the channel daemon: {@link io.channelpush.channel.client.ChannelClient} with its
 * {@link io.channelpush.channel.client.ClientOptions}; with a daemon of protocol 2, acknowledged publishes
 * ({@link io.channelpush.channel.client.StreamOffset}, {@link io.channelpush.channel.client.OutcomeUnknownException}),
 * stream handlers ({@link io.channelpush.channel.client.StreamHandler}) and history
 * ({@link io.channelpush.channel.client.History}). The socket handling is package-private.
 */
package io.channelpush.channel.client;
