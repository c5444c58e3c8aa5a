package io.channelpush.push;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Raw HTTP/1.1 over a plain {@link Socket} to 127.0.0.1, as curl or an attacker would send it, for wire tests that
 * must not depend on the client library the product uses: whole exchanges read until the server closes or the
 * Content-Length is complete ({@link #send(int, String, String, String)}, {@link #exchange}), and what no HTTP
 * client would send: huge or countless headers, half-sent request lines, bodies that never end, WebSocket
 * handshakes whose answer is read byte for byte ({@link #send(Socket, String)}, {@link #readHead}).
 */
public final class RawHttp {
    /** A parsed response; header names lower-case. */
    record Response(int status, Map<String, String> headers, String body) {
    }

    private RawHttp() {
    }

    /** Sends {@code method target} with {@code extraHeaders} (each ending in CRLF) and no body. */
    static Response send(int port, String method, String target, String extraHeaders) throws IOException {
        return exchange(port, method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extraHeaders
                + "Connection: close\r\n\r\n");
    }

    /** Writes {@code request} as ISO-8859-1 bytes and reads the response, for at most 10 s. */
    static Response exchange(int port, String request) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            return read(s.getInputStream(), request.startsWith("HEAD "));
        }
    }

    private static Response read(InputStream in, boolean head) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int end = -1;
        while (end < 0) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed before the response head ended: " + buf);
            }
            buf.write(b);
            byte[] a = buf.toByteArray();
            int n = a.length;
            if (n >= 4 && a[n - 4] == '\r' && a[n - 3] == '\n' && a[n - 2] == '\r' && a[n - 1] == '\n') {
                end = n;
            }
        }
        String[] lines = buf.toString(StandardCharsets.ISO_8859_1).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.put(lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).strip());
            }
        }
        String length = headers.get("content-length");
        byte[] body;
        if (head) {
            body = new byte[0];
        } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            body = dechunk(in);
        } else if (length != null) {
            body = in.readNBytes(Integer.parseInt(length));
        } else {
            body = in.readNBytes(1 << 20);
        }
        return new Response(status, headers, new String(body, StandardCharsets.UTF_8));
    }

    private static byte[] dechunk(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (true) {
            int size = Integer.parseInt(line(in).split(";")[0].strip(), 16);
            if (size == 0) {
                return out.toByteArray();
            }
            out.write(in.readNBytes(size));
            line(in);
        }
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        for (int c = in.read(); c >= 0 && c != '\n'; c = in.read()) {
            if (c != '\r') {
                b.append((char) c);
            }
        }
        return b.toString();
    }

    /** A WebSocket handshake request for {@code /} on 127.0.0.1:{@code port}, with more header lines (CRLF-ended). */
    public static String handshake(int port, String extraHeaders) {
        return "GET / HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" + extraHeaders
                + "\r\n";
    }

    /** Connects to 127.0.0.1:{@code port} with a 10 s read timeout. */
    public static Socket connect(int port) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        s.setSoTimeout(10_000);
        return s;
    }

    /**
     * Writes {@code request} (ignoring a failure to write all of it: the server may answer and close first), then
     * reads the response's status line and headers.
     *
     * @return the response head, or what arrived before the server closed
     */
    static String send(Socket s, String request) throws IOException {
        try {
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
        } catch (IOException e) {
            // the server refused early and closed; its answer may still be readable
        }
        return readHead(s);
    }

    /** Reads up to the end of a response head (CRLF CRLF) or EOF. */
    public static String readHead(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int c;
            try {
                c = in.read();
            } catch (IOException e) {
                if (head.length() > 0) {
                    break;
                }
                throw e;
            }
            if (c < 0) {
                break;
            }
            head.append((char) c);
        }
        return head.toString();
    }

    /** The status code of a response head, or -1 when there is none. */
    static int status(String head) {
        return head.startsWith("HTTP/1.1 ") && head.length() >= 12 ? Integer.parseInt(head.substring(9, 12)) : -1;
    }

    /** The value of a response header, or null. */
    public static String header(String head, String name) {
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
                return line.substring(colon + 1).trim();
            }
        }
        return null;
    }

    /**
     * Waits until the server closes {@code s} (EOF or reset), discarding what it sends, for at most {@code bound}.
     *
     * @return how long it took
     * @throws AssertionError when the socket is still open after {@code bound}
     */
    static Duration awaitClosedByServer(Socket s, Duration bound) throws IOException {
        long start = System.nanoTime();
        long deadline = start + bound.toNanos();
        InputStream in = s.getInputStream();
        byte[] buf = new byte[4096];
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("the server kept the socket open for more than " + bound);
            }
            s.setSoTimeout((int) Math.max(1, left / 1_000_000));
            try {
                if (in.read(buf) < 0) {
                    break;
                }
            } catch (SocketTimeoutException e) {
                // loop: the deadline check above fails the wait
            } catch (IOException e) {
                break; // reset
            }
        }
        return Duration.ofNanos(System.nanoTime() - start);
    }
}
