package io.channelpush.push.bus;

/**
 * The bus did not confirm a publish in time, but may still have it: the message may yet be delivered, at most once.
 * The publisher answers 504. (A publish the bus certainly did not take fails with {@link BusUnavailableException}
 * instead, answered 503.)
 */
public final class PublishOutcomeUnknownException extends RuntimeException {
    public PublishOutcomeUnknownException(String message) {
        super(message);
    }
}
