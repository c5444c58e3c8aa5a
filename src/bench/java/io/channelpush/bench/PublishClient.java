package io.channelpush.bench;

import java.net.URI;
import java.util.function.IntConsumer;

/**
 * Sends the harness's publisher requests (GET, keep-alive). Two implementations: {@link NioHttpClient} (the default
 * with the nio transport: a few microseconds per request) and {@link JettyPublishClient} (Jetty's HttpClient, with
 * the jetty transport). Thread-safe.
 */
interface PublishClient extends AutoCloseable {

    /**
     * Sends {@code GET base + pathAndQuery} asynchronously.
     *
     * @param done called once with the status code, or -1 when the request failed
     */
    void get(URI base, String pathAndQuery, IntConsumer done);

    @Override
    void close() throws Exception;

    /** @param name {@code nio} or {@code jetty}, as for {@link Transport#create} */
    static PublishClient create(String name, int connectionsPerServer) throws Exception {
        return switch (name) {
            case "nio" -> new NioHttpClient(connectionsPerServer);
            case "jetty" -> new JettyPublishClient(connectionsPerServer);
            default -> throw new IllegalArgumentException("unknown client " + name + " (nio or jetty)");
        };
    }
}
