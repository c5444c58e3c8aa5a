package io.channelpush.bench;

import java.net.URI;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
import org.eclipse.jetty.client.HttpClient;

/** {@link PublishClient} on Jetty's HttpClient. Thread-safe. */
final class JettyPublishClient implements PublishClient {
    private final HttpClient http = new HttpClient();

    JettyPublishClient(int connectionsPerServer) throws Exception {
        http.setMaxConnectionsPerDestination(connectionsPerServer);
        http.start();
    }

    @Override
    public void get(URI base, String pathAndQuery, IntConsumer done) {
        http.newRequest(base.resolve(pathAndQuery)).timeout(30, TimeUnit.SECONDS).send(result ->
                done.accept(result.isFailed() ? -1 : result.getResponse().getStatus()));
    }

    @Override
    public void close() throws Exception {
        http.stop();
    }
}
