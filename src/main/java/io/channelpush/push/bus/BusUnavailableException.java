package io.channelpush.push.bus;

/** The bus cannot take a publish now; the caller reports failure (the publisher answers 503). */
public final class BusUnavailableException extends RuntimeException {
    public BusUnavailableException(String message) {
        super(message);
    }
}
