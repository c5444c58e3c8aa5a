package io.channelpush.bench;

import java.net.URI;
import java.util.function.IntConsumer;

/**
 * Sends the harness's publisher requests (GET, keep-alive). Two implementations: {@link NioHttpClient} (the default
 * with the nio transport: a few microseconds per request) and {@link JettyPublishClient} (Jetty's HttpClient, with
 * the jetty transport). Every request carries the client's {@code Authorization} header when it has one.
 * Thread-safe.
 */
interface PublishClient extends AutoCloseable {

    /** Called once with an answer's status (-1 when the request failed) and its body (empty when failed). */
    @FunctionalInterface
    interface Answer {
        void accept(int status, String body);
    }

    /**
     * Sends {@code GET base + pathAndQuery} asynchronously.
     *
     * @param done called once with the status code, or -1 when the request failed
     */
    void get(URI base, String pathAndQuery, IntConsumer done);

    /** {@link #get(URI, String, IntConsumer)}, with the answer's body (UTF-8) for queries whose answer is read. */
    void getBody(URI base, String pathAndQuery, Answer done);

    @Override
    void close() throws Exception;

    /** @param name {@code nio} or {@code jetty}, as for {@link Transport#create} */
    static PublishClient create(String name, int connectionsPerServer) throws Exception {
        return create(name, connectionsPerServer, null);
    }

    /**
     * @param name {@code nio} or {@code jetty}, as for {@link Transport#create}
     * @param authorization the {@code Authorization} header of every request ({@code Bearer <token>}), or null
     */
    static PublishClient create(String name, int connectionsPerServer, String authorization) throws Exception {
        return switch (name) {
            case "nio" -> new NioHttpClient(connectionsPerServer, authorization);
            case "jetty" -> new JettyPublishClient(connectionsPerServer, authorization);
            default -> throw new IllegalArgumentException("unknown client " + name + " (nio or jetty)");
        };
    }
}
