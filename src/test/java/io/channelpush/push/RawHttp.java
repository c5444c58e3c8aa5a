package io.channelpush.push;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One HTTP/1.1 exchange written as raw bytes on a {@link Socket} to 127.0.0.1, as curl or an attacker would send
 * it, read until the server closes (the request should say {@code Connection: close}) or the response's
 * Content-Length is complete. For wire tests that must not depend on the client library the product uses.
 */
final class RawHttp {
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
}
