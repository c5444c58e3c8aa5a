package io.channelpush.push.bus;

/**
 * A message's place in its bus stream ({@link Channels#isStream}): the stream's {@code epoch}, which changes when the
 * bus lost the stream's history (a reader holding another epoch has a gap it cannot fill), and the {@code offset} the
 * bus gave the message, increasing in publish order within the epoch (not necessarily by one: the group streams share
 * one offset space, see {@link Channels#GROUPS}). Immutable.
 */
public record StreamPosition(String epoch, long offset) {
    public StreamPosition {
        if (epoch == null || epoch.isEmpty()) {
            throw new IllegalArgumentException("a stream position needs an epoch");
        }
    }
}
