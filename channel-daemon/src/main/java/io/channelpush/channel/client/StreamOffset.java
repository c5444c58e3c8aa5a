package io.channelpush.channel.client;

/**
 * A message's place in a stream channel of the daemon (protocol 2): the daemon's {@code epoch} (it changes when the
 * daemon lost its streams' history) and the {@code offset} it gave the message, increasing within the epoch.
 * Immutable.
 */
public record StreamOffset(String epoch, long offset) {
}
