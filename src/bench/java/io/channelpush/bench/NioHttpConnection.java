package io.channelpush.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One keep-alive HTTP/1.1 connection of {@link NioHttpClient}: writes a request, reads the status line, the headers
 * and a body sized by {@code Content-Length} or sent chunked (decoded only for a request that wants the body), then
 * takes the next request. Loop thread only.
 */
final class NioHttpConnection implements NioLoop.Handler {
    private static final int MAX_RESPONSE = 1 << 20;

    private final SocketChannel ch;
    private final NioHttpClient.Pool pool;
    private final SelectionKey key;
    private ByteBuffer out;
    private NioHttpClient.Pending current;
    /** Response bytes so far (heap, write mode). */
    private ByteBuffer in = ByteBuffer.allocate(4096);
    private boolean closed;
    /** Where the current response's body starts in {@link #in}, once its head is complete. */
    private int bodyStart;
    private boolean chunked;

    NioHttpConnection(SocketChannel ch, Selector selector, NioHttpClient.Pool pool) throws IOException {
        this.ch = ch;
        this.pool = pool;
        this.key = ch.register(selector, ch.isConnectionPending() ? SelectionKey.OP_CONNECT : SelectionKey.OP_READ, this);
    }

    void send(NioHttpClient.Pending p) {
        current = p;
        out = ByteBuffer.wrap(p.request());
        in.clear();
        if (!ch.isConnectionPending()) {
            try {
                flush();
            } catch (IOException e) {
                fail();
            }
        }
    }

    @Override
    public void connected() throws IOException {
        if (out != null) {
            flush();
        }
    }

    @Override
    public void writable() throws IOException {
        flush();
    }

    @Override
    public void readable(ByteBuffer shared) throws IOException {
        read();
    }

    @Override
    public void failed(Exception e) {
        fail();
    }

    private void flush() throws IOException {
        ch.write(out);
        key.interestOps(out.hasRemaining() ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ);
    }

    private void read() throws IOException {
        if (!in.hasRemaining()) {
            if (in.capacity() >= MAX_RESPONSE) {
                throw new IOException("response larger than " + MAX_RESPONSE + " bytes");
            }
            ByteBuffer bigger = ByteBuffer.allocate(in.capacity() * 2);
            bigger.put(in.flip());
            in = bigger;
        }
        int n = ch.read(in);
        if (n < 0) {
            fail();
            return;
        }
        int status = complete();
        if (status > 0) {
            NioHttpClient.Pending p = current;
            current = null;
            out = null;
            String body = p.withBody() == null ? null : body();
            in.clear();
            p.answer(status, body);
            pool.free(this);
        }
    }

    /** @return the status when the whole response is in, else 0 */
    private int complete() throws IOException {
        byte[] b = in.array();
        int len = in.position();
        int headEnd = indexOf(b, 0, len, "\r\n\r\n");
        if (headEnd < 0) {
            return 0;
        }
        String head = new String(b, 0, headEnd, StandardCharsets.ISO_8859_1);
        if (!head.startsWith("HTTP/1.1 ") || head.length() < 12) {
            throw new IOException("not an HTTP/1.1 response: " + head.lines().findFirst().orElse(""));
        }
        int status = Integer.parseInt(head.substring(9, 12));
        String lower = head.toLowerCase(Locale.ROOT);
        bodyStart = headEnd + 4;
        chunked = false;
        int cl = lower.indexOf("\r\ncontent-length:");
        if (cl >= 0) {
            int eol = lower.indexOf("\r\n", cl + 2);
            int length = Integer.parseInt(lower.substring(cl + 17, eol < 0 ? lower.length() : eol).strip());
            return len >= bodyStart + length ? status : 0;
        }
        if (lower.contains("\r\ntransfer-encoding: chunked")) {
            chunked = true;
            return indexOf(b, bodyStart, len, "\r\n0\r\n\r\n") >= 0 || startsWith(b, bodyStart, len, "0\r\n\r\n")
                    ? status : 0;
        }
        // no length: a 1xx, 204 or 304 has no body; anything else ends with the connection
        return status < 200 || status == 204 || status == 304 ? status : 0;
    }

    /** The complete response's body as UTF-8, chunks joined. */
    private String body() {
        byte[] b = in.array();
        int len = in.position();
        if (!chunked) {
            return new String(b, bodyStart, len - bodyStart, StandardCharsets.UTF_8);
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        int at = bodyStart;
        while (at < len) {
            int eol = indexOf(b, at, len, "\r\n");
            String size = new String(b, at, eol - at, StandardCharsets.ISO_8859_1);
            int n = Integer.parseInt(size.split(";", 2)[0].strip(), 16);
            if (n == 0) {
                break;
            }
            body.write(b, eol + 2, n);
            at = eol + 2 + n + 2;
        }
        return body.toString(StandardCharsets.UTF_8);
    }

    private static int indexOf(byte[] b, int from, int to, String s) {
        outer:
        for (int i = from; i + s.length() <= to; i++) {
            for (int j = 0; j < s.length(); j++) {
                if (b[i + j] != s.charAt(j)) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static boolean startsWith(byte[] b, int from, int to, String s) {
        return indexOf(b, from, Math.min(to, from + s.length()), s) == from;
    }

    private void fail() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            ch.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        NioHttpClient.Pending p = current;
        current = null;
        if (p != null) {
            p.done().accept(-1);
        }
        pool.closed(this);
    }

    @Override
    public void abort() {
        fail();
    }
}
