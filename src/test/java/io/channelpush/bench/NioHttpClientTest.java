package io.channelpush.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The harness's publisher client ({@link NioHttpClient}) against a scripted HTTP/1.1 server on a real socket: both
 * body framings, keep-alive reuse of the one connection, -1 when the server goes away mid-request, bodies decoded
 * (UTF-8, chunks joined) and the Authorization header on every request.
 */
class NioHttpClientTest {

    @Test
    void contentLengthAndChunkedAnswersShareOneKeptAliveConnectionAndALostOneFails() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             NioHttpClient client = new NioHttpClient(1)) {
            URI base = URI.create("http://127.0.0.1:" + server.getLocalPort() + "/");
            CompletableFuture<Integer> first = get(client, base, "/?content=a");
            CompletableFuture<Integer> second = get(client, base, "/?content=b");
            CompletableFuture<Integer> third = get(client, base, "/?content=c");
            try (Socket s = server.accept()) {
                InputStream in = s.getInputStream();
                OutputStream out = s.getOutputStream();
                assertEquals("GET /?content=a HTTP/1.1", requestLine(in));
                out.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                assertEquals(200, first.get(5, TimeUnit.SECONDS));
                // the same connection carries the next request (one connection allowed)
                assertEquals("GET /?content=b HTTP/1.1", requestLine(in));
                out.write("HTTP/1.1 503 Service Unavailable\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nbusy\r\n0\r\n\r\n"
                        .getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                assertEquals(503, second.get(5, TimeUnit.SECONDS));
                assertEquals("GET /?content=c HTTP/1.1", requestLine(in));
            }
            assertEquals(-1, third.get(5, TimeUnit.SECONDS), "a request whose connection died fails");
        }
    }

    @Test
    void bodiesComeBackDecodedAndEveryRequestCarriesTheAuthorizationHeader() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             NioHttpClient client = new NioHttpClient(1, "Bearer t1")) {
            URI base = URI.create("http://127.0.0.1:" + server.getLocalPort() + "/");
            CompletableFuture<String> first = new CompletableFuture<>();
            CompletableFuture<String> second = new CompletableFuture<>();
            client.getBody(base, "/?presence=1", (status, body) -> first.complete(status + " " + body));
            client.getBody(base, "/?online=a", (status, body) -> second.complete(status + " " + body));
            try (Socket s = server.accept()) {
                InputStream in = s.getInputStream();
                OutputStream out = s.getOutputStream();
                String head = head(in);
                assertEquals("GET /?presence=1 HTTP/1.1", head.substring(0, head.indexOf("\r\n")));
                assertTrue(head.contains("\r\nAuthorization: Bearer t1\r\n"), head);
                out.write("HTTP/1.1 200 OK\r\nContent-Length: 14\r\n\r\n{\"users\":\"\u00e9\"}"
                        .getBytes(StandardCharsets.UTF_8));
                out.flush();
                assertEquals("200 {\"users\":\"\u00e9\"}", first.get(5, TimeUnit.SECONDS));
                assertTrue(head(in).contains("\r\nAuthorization: Bearer t1\r\n"));
                out.write("HTTP/1.1 401 Unauthorized\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nno \r\n4;x=y\r\ntoke\r\n1\r\nn\r\n0\r\n\r\n"
                        .getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                assertEquals("401 no token", second.get(5, TimeUnit.SECONDS));
            }
        }
    }

    private static CompletableFuture<Integer> get(NioHttpClient client, URI base, String path) {
        CompletableFuture<Integer> f = new CompletableFuture<>();
        client.get(base, path, f::complete);
        return f;
    }

    /** Reads one request head and returns its first line. */
    private static String requestLine(InputStream in) throws IOException {
        String head = head(in);
        return head.substring(0, head.indexOf("\r\n"));
    }

    /** Reads one request head, up to and with its empty line. */
    private static String head(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("client closed");
            }
            head.append((char) b);
        }
        return head.toString();
    }
}
