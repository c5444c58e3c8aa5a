package io.channelpush.channel.client;

/**
 * The client could not take a publish or enqueue: its buffer for the daemon is full (the daemon is down or
 * slower than the publishers) or the client is closed. Nothing was queued; the caller decides whether to retry
 * or report failure (the publisher servlet answers 503). For an acknowledged publish it means the publish was
 * certainly not taken: it never reached the daemon, or the daemon refused it (see {@link OutcomeUnknownException}).
 */
public final class ChannelUnavailableException extends RuntimeException {
    public ChannelUnavailableException(String message) {
        super(message);
    }
}
