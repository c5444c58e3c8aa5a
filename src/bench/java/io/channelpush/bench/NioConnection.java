package io.channelpush.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One harness WebSocket over a raw socket: the HTTP upgrade (checking {@code Sec-WebSocket-Accept}), RFC 6455 frames
 * from the server (text, binary, continuation, ping answered with pong, close echoed), masked frames to it. No
 * extensions are offered, so reserved bits are errors. Confined to its loop's thread: others reach it through
 * {@link NioLoop#execute}.
 */
final class NioConnection implements BenchClient.Link, NioLoop.Handler {
    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    private static final int MAX_MESSAGE = 16 << 20;
    private static final int MAX_HANDSHAKE = 16 << 10;

    private enum State { CONNECTING, HANDSHAKE, OPEN, CLOSED }

    private final SocketChannel ch;
    private final BenchClient client;
    private final URI target;
    private final NioLoop loop;
    private final Runnable onSocketClosed;
    private final String key;
    private SelectionKey selectionKey;
    private State state = State.CONNECTING;
    /** Bytes of an incomplete handshake or frame, kept between reads (write mode); null when there are none. */
    private ByteBuffer carry;
    private ByteArrayOutputStream fragments;
    private final ArrayDeque<ByteBuffer> out = new ArrayDeque<>();
    private boolean closeSent;
    private boolean closeWhenFlushed;

    NioConnection(SocketChannel ch, BenchClient client, URI target, NioLoop loop, Runnable onSocketClosed) {
        this.ch = ch;
        this.client = client;
        this.target = target;
        this.loop = loop;
        this.onSocketClosed = onSocketClosed;
        byte[] nonce = new byte[16];
        ThreadLocalRandom.current().nextBytes(nonce);
        this.key = Base64.getEncoder().encodeToString(nonce);
    }

    void register(Selector selector) {
        try {
            if (ch.isConnectionPending()) {
                selectionKey = ch.register(selector, SelectionKey.OP_CONNECT, this);
            } else {
                selectionKey = ch.register(selector, SelectionKey.OP_READ, this);
                connected();
            }
        } catch (IOException e) {
            fail(e);
        }
    }

    @Override
    public void connected() {
        state = State.HANDSHAKE;
        queue(ByteBuffer.wrap(handshakeRequest().getBytes(StandardCharsets.ISO_8859_1)));
    }

    // ---- the Link, called from any thread

    @Override
    public void send(String text) {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        loop.execute(() -> {
            if (state == State.OPEN && !closeSent) {
                queue(frame(0x1, payload));
            }
        });
    }

    @Override
    public void close() {
        loop.execute(() -> {
            if (state == State.OPEN && !closeSent) {
                sendClose(1000, "bench done");
            } else if (state != State.CLOSED && state != State.OPEN) {
                abort();
            }
        });
    }

    // ---- the loop's thread

    @Override
    public void writable() throws IOException {
        flush();
    }

    @Override
    public void readable(ByteBuffer shared) throws IOException {
        read(shared);
    }

    private String handshakeRequest() {
        String path = target.getRawPath() == null || target.getRawPath().isEmpty() ? "/" : target.getRawPath();
        if (target.getRawQuery() != null) {
            path += "?" + target.getRawQuery();
        }
        return "GET " + path + " HTTP/1.1\r\nHost: " + target.getHost() + ":" + target.getPort()
                + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + key
                + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
    }

    private void read(ByteBuffer shared) throws IOException {
        ByteBuffer buf = carry != null ? carry : shared.clear();
        int n = ch.read(buf);
        if (n < 0) {
            if (state != State.CLOSED) {
                closeSocket();
                client.onClose(1006, "connection closed without a close frame");
            }
            return;
        }
        buf.flip();
        int need = parse(buf);
        if (state == State.CLOSED) {
            return;
        }
        if (!buf.hasRemaining()) {
            carry = null;
            return;
        }
        int size = Math.max(need, buf.remaining() + 4096);
        if (buf == carry && carry.capacity() >= size) {
            carry.compact();
        } else {
            ByteBuffer next = ByteBuffer.allocate(size);
            next.put(buf);
            carry = next;
        }
    }

    /** Handles what is complete in {@code buf}; @return the size the incomplete rest needs, when known */
    private int parse(ByteBuffer buf) throws IOException {
        if (state == State.HANDSHAKE && !handshake(buf)) {
            return 0;
        }
        while (state == State.OPEN && !closeWhenFlushed) {
            int p = buf.position();
            int r = buf.remaining();
            if (r < 2) {
                return 2;
            }
            int b0 = buf.get(p) & 0xff;
            int b1 = buf.get(p + 1) & 0xff;
            if ((b1 & 0x80) != 0 || (b0 & 0x70) != 0) {
                throw new IOException("protocol error: masked server frame or reserved bits set");
            }
            int header = 2;
            long length = b1 & 0x7f;
            if (length == 126) {
                header = 4;
                if (r < header) {
                    return header;
                }
                length = buf.getShort(p + 2) & 0xffff;
            } else if (length == 127) {
                header = 10;
                if (r < header) {
                    return header;
                }
                length = buf.getLong(p + 2);
            }
            if (length < 0 || length > MAX_MESSAGE) {
                throw new IOException("frame of " + length + " bytes is over the harness's limit");
            }
            if (r < header + length) {
                return header + (int) length;
            }
            buf.position(p + header + (int) length);
            frame((b0 & 0x80) != 0, b0 & 0x0f, buf, p + header, (int) length);
        }
        return 0;
    }

    private boolean handshake(ByteBuffer buf) throws IOException {
        int end = -1;
        for (int i = buf.position(); i + 3 < buf.limit(); i++) {
            if (buf.get(i) == '\r' && buf.get(i + 1) == '\n' && buf.get(i + 2) == '\r' && buf.get(i + 3) == '\n') {
                end = i;
                break;
            }
        }
        if (end < 0) {
            if (buf.remaining() > MAX_HANDSHAKE) {
                throw new IOException("handshake answer longer than " + MAX_HANDSHAKE + " bytes");
            }
            return false;
        }
        byte[] head = new byte[end - buf.position()];
        buf.get(head);
        buf.position(end + 4);
        String[] lines = new String(head, StandardCharsets.ISO_8859_1).split("\r\n");
        if (!lines[0].startsWith("HTTP/1.1 101")) {
            throw new IOException("handshake refused: " + lines[0]);
        }
        String accept = null;
        for (String line : lines) {
            if (line.toLowerCase(Locale.ROOT).startsWith("sec-websocket-accept:")) {
                accept = line.substring(line.indexOf(':') + 1).trim();
            }
        }
        if (!expectedAccept().equals(accept)) {
            throw new IOException("handshake answered with a wrong Sec-WebSocket-Accept: " + accept);
        }
        state = State.OPEN;
        client.opened(this);
        return true;
    }

    private String expectedAccept() {
        try {
            byte[] sha1 = MessageDigest.getInstance("SHA-1").digest((key + GUID).getBytes(StandardCharsets.ISO_8859_1));
            return Base64.getEncoder().encodeToString(sha1);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void frame(boolean fin, int opcode, ByteBuffer buf, int from, int length) throws IOException {
        switch (opcode) {
            case 0x1, 0x2 -> {
                if (fragments != null) {
                    throw new IOException("protocol error: a new message inside a fragmented one");
                }
                if (fin) {
                    client.onText(buf, from, length);
                } else {
                    fragments = new ByteArrayOutputStream();
                    append(buf, from, length);
                }
            }
            case 0x0 -> {
                if (fragments == null) {
                    throw new IOException("protocol error: continuation frame without a first frame");
                }
                append(buf, from, length);
                if (fin) {
                    ByteBuffer whole = ByteBuffer.wrap(fragments.toByteArray());
                    fragments = null;
                    client.onText(whole, 0, whole.capacity());
                }
            }
            case 0x8 -> closeReceived(buf, from, length);
            case 0x9 -> queue(frame(0xA, copy(buf, from, length)));
            case 0xA -> { }
            default -> throw new IOException("protocol error: opcode " + opcode);
        }
    }

    private void append(ByteBuffer buf, int from, int length) throws IOException {
        if (fragments.size() + length > MAX_MESSAGE) {
            throw new IOException("fragmented message over the harness's limit");
        }
        fragments.write(copy(buf, from, length));
    }

    private void closeReceived(ByteBuffer buf, int from, int length) throws IOException {
        int status = length >= 2 ? buf.getShort(from) & 0xffff : 1005;
        String reason = length > 2 ? new String(copy(buf, from + 2, length - 2), StandardCharsets.UTF_8) : "";
        if (!closeSent) {
            sendClose(status == 1005 ? 1000 : status, "");
        }
        closeWhenFlushed = true;
        flush();
        client.onClose(status, reason);
    }

    private void sendClose(int status, String reason) {
        byte[] r = reason.getBytes(StandardCharsets.UTF_8);
        ByteBuffer payload = ByteBuffer.allocate(2 + r.length).putShort((short) status).put(r);
        closeSent = true;
        queue(frame(0x8, payload.array()));
    }

    private void queue(ByteBuffer frame) {
        out.add(frame);
        try {
            flush();
        } catch (IOException e) {
            fail(e);
        }
    }

    private void flush() throws IOException {
        if (state == State.CLOSED) {
            return;
        }
        ByteBuffer b;
        while ((b = out.peek()) != null) {
            ch.write(b);
            if (b.hasRemaining()) {
                selectionKey.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
                return;
            }
            out.poll();
        }
        selectionKey.interestOps(SelectionKey.OP_READ);
        if (closeWhenFlushed) {
            closeSocket();
        }
    }

    @Override
    public void failed(Exception e) {
        fail(e);
    }

    private void fail(Throwable e) {
        if (state == State.CLOSED) {
            return;
        }
        boolean wasOpen = state == State.OPEN;
        closeSocket();
        if (wasOpen) {
            client.onClose(1006, e.toString());
        } else {
            client.onError(e);
        }
    }

    /** Closes the socket at once (harness stopping, or nothing more to say). */
    @Override
    public void abort() {
        if (state != State.CLOSED) {
            closeSocket();
            client.onClose(1006, "aborted by the harness");
        }
    }

    private void closeSocket() {
        state = State.CLOSED;
        carry = null;
        try {
            ch.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        onSocketClosed.run();
    }

    private static byte[] copy(ByteBuffer buf, int from, int length) {
        byte[] b = new byte[length];
        buf.get(from, b);
        return b;
    }

    /** A masked client frame (RFC 6455 section 5.3: every client frame is masked). */
    static ByteBuffer frame(int opcode, byte[] payload) {
        int len = payload.length;
        ByteBuffer b = ByteBuffer.allocate(14 + len);
        b.put((byte) (0x80 | opcode));
        if (len < 126) {
            b.put((byte) (0x80 | len));
        } else if (len < 65536) {
            b.put((byte) (0x80 | 126)).putShort((short) len);
        } else {
            b.put((byte) (0x80 | 127)).putLong(len);
        }
        int mask = ThreadLocalRandom.current().nextInt();
        b.putInt(mask);
        for (int i = 0; i < len; i++) {
            b.put((byte) (payload[i] ^ (mask >>> (24 - 8 * (i & 3)))));
        }
        return b.flip();
    }
}
