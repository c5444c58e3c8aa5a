package io.channelpush.channel.client;

import io.channelpush.channel.protocol.FrameCodec;
import java.time.Duration;

/**
 * Settings of a {@link ChannelClient}. Immutable.
 *
 * @param host daemon host
 * @param port daemon port
 * @param secret the daemon's shared secret, or {@code null}
 * @param clientName free text sent in {@code hello}, shown in the daemon's logs
 * @param bufferLimitBytes most bytes of publishes and enqueues held while the daemon is slow or unreachable
 * @param maxFrameBytes largest frame accepted from the daemon
 * @param pingInterval how often a ping is sent; the daemon answers each one
 * @param readTimeout silence from the daemon longer than this means it is gone
 * @param reconnectMin first reconnect delay (doubled per failed attempt, jittered)
 * @param reconnectMax cap of the reconnect delay
 * @param requests bounds of the requests awaiting the daemon's answer (protocol 2)
 */
public record ClientOptions(String host, int port, String secret, String clientName, long bufferLimitBytes,
                            int maxFrameBytes, Duration pingInterval, Duration readTimeout,
                            Duration reconnectMin, Duration reconnectMax, RequestLimits requests) {

    public ClientOptions {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("channel host is empty");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("channel port must be 1..65535, got " + port);
        }
        if (readTimeout.compareTo(pingInterval) <= 0) {
            throw new IllegalArgumentException("read timeout must be longer than the ping interval");
        }
    }

    /** Defaults: 8 MiB buffer, ping every 2 s, daemon presumed dead after 6 s, reconnect 100 ms doubling to 1 s. */
    public static ClientOptions of(String host, int port) {
        return new ClientOptions(host, port, null, "java-client", 8L << 20, FrameCodec.DEFAULT_MAX_FRAME_BYTES,
                Duration.ofSeconds(2), Duration.ofSeconds(6), Duration.ofMillis(100), Duration.ofSeconds(1),
                RequestLimits.DEFAULTS);
    }

    /** Parses {@code host:port}. */
    public static ClientOptions parse(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0 || colon == hostPort.length() - 1) {
            throw new IllegalArgumentException("channel address must be host:port, got \"" + hostPort + "\"");
        }
        try {
            return of(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("channel address must be host:port, got \"" + hostPort + "\"");
        }
    }

    public ClientOptions withSecret(String s) {
        return new ClientOptions(host, port, s, clientName, bufferLimitBytes, maxFrameBytes, pingInterval,
                readTimeout, reconnectMin, reconnectMax, requests);
    }

    public ClientOptions withClientName(String n) {
        return new ClientOptions(host, port, secret, n, bufferLimitBytes, maxFrameBytes, pingInterval,
                readTimeout, reconnectMin, reconnectMax, requests);
    }

    public ClientOptions withBufferLimitBytes(long n) {
        return new ClientOptions(host, port, secret, clientName, n, maxFrameBytes, pingInterval,
                readTimeout, reconnectMin, reconnectMax, requests);
    }

    public ClientOptions withPing(Duration interval, Duration timeout) {
        return new ClientOptions(host, port, secret, clientName, bufferLimitBytes, maxFrameBytes, interval,
                timeout, reconnectMin, reconnectMax, requests);
    }

    public ClientOptions withReconnect(Duration min, Duration max) {
        return new ClientOptions(host, port, secret, clientName, bufferLimitBytes, maxFrameBytes, pingInterval,
                readTimeout, min, max, requests);
    }

    public ClientOptions withRequests(RequestLimits r) {
        return new ClientOptions(host, port, secret, clientName, bufferLimitBytes, maxFrameBytes, pingInterval,
                readTimeout, reconnectMin, reconnectMax, r);
    }

    /**
     * Bounds of protocol 2's requests. Past a bound a request is refused at once with
     * {@link ChannelUnavailableException} naming it.
     *
     * @param maxPendingAcks most publishes awaiting their acknowledgement
     * @param maxPendingAckBytes most bytes of data of publishes awaiting their acknowledgement
     * @param maxPendingHistory most history requests awaiting their reply
     * @param historyTimeout how long a history request may wait for its reply
     */
    public record RequestLimits(int maxPendingAcks, long maxPendingAckBytes, int maxPendingHistory,
                                Duration historyTimeout) {
        /** 65,536 publishes and 64 MiB awaiting acknowledgement, 64 history requests, 5 s per history request. */
        public static final RequestLimits DEFAULTS = new RequestLimits(65_536, 64L << 20, 64, Duration.ofSeconds(5));

        public RequestLimits {
            if (maxPendingAcks < 1 || maxPendingAckBytes < 1 || maxPendingHistory < 1 || historyTimeout.isNegative()
                    || historyTimeout.isZero()) {
                throw new IllegalArgumentException("request limits must be positive");
            }
        }
    }

    /** {@code host:port}, for logs. */
    public String address() {
        return host + ":" + port;
    }
}
