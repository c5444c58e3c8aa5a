package io.channelpush.channel.client;

/**
 * An acknowledged publish ({@link ChannelClient#publishAcked}) was written to the daemon but not acknowledged: the
 * connection died after it was sent, or the acknowledgement did not come within the timeout. The daemon may have
 * taken it or not: it may still be delivered, at most once (the client never sends it again). A publish that
 * certainly did not reach the daemon fails with {@link ChannelUnavailableException} instead.
 */
public final class OutcomeUnknownException extends RuntimeException {
    public OutcomeUnknownException(String message) {
        super(message, null, false, false);
    }
}
