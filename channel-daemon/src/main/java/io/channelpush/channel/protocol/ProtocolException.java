package io.channelpush.channel.protocol;

/**
 * A peer broke the wire protocol: the connection that sent the offending bytes must be closed after an
 * {@code error} frame carrying {@link #code()}.
 */
public final class ProtocolException extends Exception {
    private final ErrorCode code;

    public ProtocolException(ErrorCode code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }
}
