package io.channelpush.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * {@link PublishClient} over keep-alive HTTP/1.1 connections on one {@link NioLoop}: one request at a time per
 * connection, at most {@code connectionsPerServer} connections to a server, requests beyond that wait in order for
 * a free connection. A failed connection fails its request (-1) and is replaced on demand. Thread-safe: callers hand
 * requests to the loop; pools are touched by the loop's thread only.
 */
final class NioHttpClient implements PublishClient {
    private final NioLoop loop;
    private final int connectionsPerServer;
    private final Map<String, Pool> pools = new HashMap<>();
    /** Header lines after {@code Host}, each ending in CRLF. */
    private final String headers;

    NioHttpClient(int connectionsPerServer) throws IOException {
        this(connectionsPerServer, null);
    }

    /** @param authorization the {@code Authorization} header of every request, or null */
    NioHttpClient(int connectionsPerServer, String authorization) throws IOException {
        this.loop = new NioLoop("bench-http");
        this.connectionsPerServer = connectionsPerServer;
        this.headers = authorization == null ? "" : "Authorization: " + authorization + "\r\n";
    }

    @Override
    public void get(URI base, String pathAndQuery, IntConsumer done) {
        submit(base, pathAndQuery, done, null);
    }

    @Override
    public void getBody(URI base, String pathAndQuery, Answer done) {
        submit(base, pathAndQuery, null, done);
    }

    private void submit(URI base, String pathAndQuery, IntConsumer done, Answer withBody) {
        String hostPort = base.getHost() + ":" + (base.getPort() > 0 ? base.getPort() : 80);
        byte[] request = ("GET " + pathAndQuery + " HTTP/1.1\r\nHost: " + hostPort + "\r\n" + headers + "\r\n")
                .getBytes(StandardCharsets.ISO_8859_1);
        Pending p = new Pending(request, done, withBody);
        loop.execute(() -> pools.computeIfAbsent(hostPort, k -> new Pool(base)).submit(p));
    }

    @Override
    public void close() throws InterruptedException {
        loop.close();
    }

    /** A request and whom to tell: {@code done} with the status only, or {@code withBody} (the other is null). */
    record Pending(byte[] request, IntConsumer done, Answer withBody) {
        void answer(int status, String body) {
            if (withBody != null) {
                withBody.accept(status, body);
            } else {
                done.accept(status);
            }
        }
    }

    /** The connections to one server and the requests waiting for one; loop thread only. */
    final class Pool {
        private final InetSocketAddress address;
        private final ArrayDeque<NioHttpConnection> idle = new ArrayDeque<>();
        private final ArrayDeque<Pending> waiting = new ArrayDeque<>();
        private int open;

        Pool(URI base) {
            this.address = new InetSocketAddress(base.getHost(), base.getPort() > 0 ? base.getPort() : 80);
        }

        void submit(Pending p) {
            NioHttpConnection c = idle.poll();
            if (c != null) {
                c.send(p);
            } else if (open < connectionsPerServer) {
                try {
                    c = connect();
                    c.send(p);
                } catch (IOException e) {
                    p.answer(-1, "");
                }
            } else {
                waiting.add(p);
            }
        }

        private NioHttpConnection connect() throws IOException {
            SocketChannel ch = SocketChannel.open();
            try {
                ch.configureBlocking(false);
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                ch.connect(address);
                open++;
                return new NioHttpConnection(ch, loop.selector, this);
            } catch (IOException e) {
                ch.close();
                throw e;
            }
        }

        /** A connection finished its request and can take the next. */
        void free(NioHttpConnection c) {
            Pending next = waiting.poll();
            if (next != null) {
                c.send(next);
            } else {
                idle.add(c);
            }
        }

        /** A connection closed; a waiting request gets a new one. */
        void closed(NioHttpConnection c) {
            open--;
            idle.remove(c);
            Pending next = waiting.poll();
            if (next != null) {
                submit(next);
            }
        }
    }
}
