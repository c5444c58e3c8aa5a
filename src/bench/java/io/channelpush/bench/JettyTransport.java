package io.channelpush.bench;

import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.client.WebSocketClient;

/** {@link Transport} over Jetty 12's WebSocket client, one client per source address. Thread-safe. */
final class JettyTransport implements Transport {
    private final List<WebSocketClient> clients = new ArrayList<>();

    JettyTransport(List<String> sources) throws Exception {
        for (String source : sources) {
            HttpClient http = new HttpClient();
            http.setBindAddress(new InetSocketAddress(source, 0));
            http.setMaxConnectionsPerDestination(1_000_000);
            WebSocketClient ws = new WebSocketClient(http);
            ws.setMaxTextMessageSize(4 << 20);
            ws.setIdleTimeout(java.time.Duration.ofMinutes(10));
            http.start();
            ws.start();
            clients.add(ws);
        }
    }

    @Override
    public void connect(BenchClient client, URI target, int index) throws Exception {
        clients.get(index % clients.size()).connect(new Listener(client), target);
    }

    @Override
    public void close() throws Exception {
        for (WebSocketClient ws : clients) {
            ws.stop();
            ws.getHttpClient().stop();
        }
    }

    /** Adapts Jetty's callbacks to a {@link BenchClient}. Public so that Jetty can call it. */
    public static final class Listener implements Session.Listener.AutoDemanding, BenchClient.Link {
        private final BenchClient client;
        private volatile Session session;

        Listener(BenchClient client) {
            this.client = client;
        }

        @Override
        public void onWebSocketOpen(Session s) {
            session = s;
            client.opened(this);
        }

        @Override
        public void onWebSocketText(String text) {
            client.onText(text);
        }

        @Override
        public void onWebSocketError(Throwable cause) {
            client.onError(cause);
        }

        @Override
        public void onWebSocketClose(int status, String reason) {
            client.onClose(status, reason);
        }

        @Override
        public void send(String text) {
            session.sendText(text, Callback.NOOP);
        }

        @Override
        public void close() {
            Session s = session;
            if (s != null && s.isOpen()) {
                s.close(1000, "bench done", Callback.NOOP);
            }
        }
    }
}
