package io.channelpush.bench;

import java.net.URI;

/**
 * How the harness's WebSocket clients reach the servers. Two implementations: {@link NioTransport} (the default:
 * one selector thread, a minimal RFC 6455 client, cheap enough not to be the bottleneck) and
 * {@link JettyTransport} (Jetty's client, to cross-check the figures with a well-known client). Thread-safe.
 */
interface Transport extends AutoCloseable {

    /**
     * Starts connecting {@code client} to {@code target}; the client's futures tell how it went.
     *
     * @param index the client's number: spreads clients over source addresses and threads
     */
    void connect(BenchClient client, URI target, int index) throws Exception;

    /** Stops the transport's threads and closes what is still open; bounded in time. */
    @Override
    void close() throws Exception;

    static Transport create(String name, PushBenchOptions o) throws Exception {
        return switch (name) {
            case "nio" -> new NioTransport(o.sources(), o.clientThreads());
            case "jetty" -> new JettyTransport(o.sources());
            default -> throw new IllegalArgumentException("unknown client " + name + " (nio or jetty)");
        };
    }
}
