package io.channelpush.bench;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
import org.eclipse.jetty.client.BufferingResponseListener;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.http.HttpHeader;

/** {@link PublishClient} on Jetty's HttpClient. Thread-safe. */
final class JettyPublishClient implements PublishClient {
    private final HttpClient http = new HttpClient();
    private final String authorization;

    JettyPublishClient(int connectionsPerServer, String authorization) throws Exception {
        this.authorization = authorization;
        http.setMaxConnectionsPerDestination(connectionsPerServer);
        http.start();
    }

    @Override
    public void get(URI base, String pathAndQuery, IntConsumer done) {
        request(base, pathAndQuery).send(result ->
                done.accept(result.isFailed() ? -1 : result.getResponse().getStatus()));
    }

    @Override
    public void getBody(URI base, String pathAndQuery, Answer done) {
        request(base, pathAndQuery).send(new BufferingResponseListener(1 << 20) {
            @Override
            public void onComplete(Result result) {
                done.accept(result.isFailed() ? -1 : result.getResponse().getStatus(),
                        result.isFailed() ? "" : getContentAsString(StandardCharsets.UTF_8));
            }
        });
    }

    private Request request(URI base, String pathAndQuery) {
        Request r = http.newRequest(base.resolve(pathAndQuery)).timeout(30, TimeUnit.SECONDS);
        return authorization == null ? r : r.headers(h -> h.put(HttpHeader.AUTHORIZATION, authorization));
    }

    @Override
    public void close() throws Exception {
        http.stop();
    }
}
