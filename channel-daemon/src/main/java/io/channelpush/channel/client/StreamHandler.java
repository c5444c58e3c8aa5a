package io.channelpush.channel.client;

/**
 * Receives the events of a stream channel ({@link ChannelClient#onStream}), on the client's reader thread, one at a
 * time, in offset order; must not block for long.
 */
@FunctionalInterface
public interface StreamHandler {
    /**
     * @param data the event's {@code data}, UTF-8 JSON as it arrived
     * @param epoch the daemon's epoch, or null when the daemon speaks protocol 1 (then {@code offset} is -1)
     * @param offset the event's offset in the stream, increasing within the epoch
     */
    void onEvent(byte[] data, String epoch, long offset);
}
