package io.channelpush.bench;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

/**
 * Hostile WebSocket clients on raw {@link Socket}s, one blocking thread each: a 5 MB unfragmented text frame, a
 * frame header declaring 2^62 bytes followed by a stream of bytes (up to a cap), a 5 MB message in 1 KB
 * fragments, and handshakes carrying 64 KB of headers (held open when accepted). Each attacker's outcome (the
 * close code the node sent, the HTTP status it answered, EOF, reset or nothing) goes to a {@link Tally}. Frames
 * are masked with a zero key, which RFC 6455 allows. Every read has a timeout; every write loop checks the
 * stop signal.
 */
final class RawAttacks {
    enum Kind { FRAME_5MB, HEADER_2_62, FRAGMENTS }

    private static final int CHUNK = 64 * 1024;
    private static final int MESSAGE = 5 * 1024 * 1024;
    private static final int FRAGMENT = 1024;

    private final InetSocketAddress node;
    private final long streamCapBytes;
    private final BooleanSupplier stop;
    private final List<Socket> held = new CopyOnWriteArrayList<>();
    /** Every attacker socket: closing them unblocks a write the node no longer reads. */
    private final List<Socket> all = new CopyOnWriteArrayList<>();

    RawAttacks(InetSocketAddress node, long streamCapBytes, BooleanSupplier stop) {
        this.node = node;
        this.streamCapBytes = streamCapBytes;
        this.stop = stop;
    }

    /** Runs one oversized-message attacker of {@code kind}; its outcome goes to {@code tally}. */
    void oversized(Kind kind, Tally tally) {
        try (Socket s = new Socket()) {
            all.add(s);
            s.connect(node, 10_000);
            s.setSoTimeout(10_000);
            int status = handshake(s, "");
            if (status != 101) {
                tally.add(kind + " HTTP " + status);
                return;
            }
            tally.add(kind + " " + send(s, kind));
        } catch (IOException e) {
            tally.add(kind + " connect/handshake failed: " + e.getClass().getSimpleName());
        }
    }

    /** A handshake with 64 KB of headers; an accepted one is held open until {@link #closeAll()}. */
    void bigHeaders(Tally tally) {
        Socket s = new Socket();
        all.add(s);
        try {
            s.connect(node, 10_000);
            s.setSoTimeout(10_000);
            StringBuilder h = new StringBuilder();
            for (int i = 0; i < 64; i++) {
                String name = "X-Pad-" + (i < 10 ? "0" : "") + i + ": ";
                h.append(name).append("a".repeat(1024 - name.length() - 2)).append("\r\n");
            }
            int status = handshake(s, h.toString());
            tally.add("HTTP " + status);
            if (status == 101) {
                held.add(s);
                return;
            }
        } catch (SocketTimeoutException e) {
            tally.add("no answer within 10 s");
        } catch (IOException e) {
            tally.add("EOF/reset: " + e.getClass().getSimpleName());
        }
        closeQuietly(s);
    }

    /** How many accepted big-header connections are still open. */
    long heldOpen() {
        return held.stream().filter(s -> {
            try {
                InputStream in = s.getInputStream();
                in.skipNBytes(in.available()); // what the node sent (its welcome) says nothing about now
                s.setSoTimeout(1);
                return in.read() != -1;
            } catch (SocketTimeoutException e) {
                return true;
            } catch (IOException e) {
                return false;
            }
        }).count();
    }

    /** Closes every attacker socket, those blocked in a write included. */
    void closeAll() {
        all.forEach(RawAttacks::closeQuietly);
    }

    /** The upgrade request with {@code extraHeaders}; returns the response's status, 0 on EOF before one. */
    private static int handshake(Socket s, String extraHeaders) throws IOException {
        String req = "GET / HTTP/1.1\r\nHost: 127.0.0.1:" + s.getPort() + "\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                + extraHeaders + "\r\n";
        s.getOutputStream().write(req.getBytes(StandardCharsets.ISO_8859_1));
        s.getOutputStream().flush();
        InputStream in = s.getInputStream();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0 || head.length() > 65_536) {
                break;
            }
            head.append((char) b);
        }
        String[] first = head.toString().split(" ", 3);
        return first.length >= 2 && first[0].startsWith("HTTP/") ? Integer.parseInt(first[1]) : 0;
    }

    private String send(Socket s, Kind kind) {
        OutputStream out;
        DataInputStream in;
        try {
            out = s.getOutputStream();
            in = new DataInputStream(s.getInputStream());
        } catch (IOException e) {
            return "failed: " + e;
        }
        byte[] chunk = new byte[CHUNK];
        Arrays.fill(chunk, (byte) 'a');
        long sent = 0;
        try {
            switch (kind) {
                case FRAME_5MB -> out.write(header(0x81, MESSAGE));
                case HEADER_2_62 -> out.write(header(0x81, 1L << 62));
                case FRAGMENTS -> { }
            }
            long total = kind == Kind.HEADER_2_62 ? streamCapBytes : MESSAGE;
            for (int i = 0; sent < total && !stop.getAsBoolean(); i++) {
                if (kind == Kind.FRAGMENTS) {
                    boolean last = sent + FRAGMENT >= total;
                    out.write(header((last ? 0x80 : 0) | (i == 0 ? 0x01 : 0x00), FRAGMENT));
                    out.write(chunk, 0, FRAGMENT);
                    sent += FRAGMENT;
                } else {
                    int n = (int) Math.min(CHUNK, total - sent);
                    out.write(chunk, 0, n);
                    sent += n;
                }
                if (in.available() >= 2) {
                    String closed = readClose(in, true);
                    if (closed != null) {
                        return closed + " after " + mb(sent);
                    }
                }
            }
            out.flush();
        } catch (IOException e) {
            if (s.isClosed()) {
                return "still sending at the end, blocked: the node stopped reading (" + mb(sent) + " sent)";
            }
            // The node closed or reset while we wrote: its close frame may still be readable.
            String closed = readCloseQuietly(in);
            return (closed != null ? closed : "write failed (" + e.getClass().getSimpleName() + ")") + " after " + mb(sent);
        }
        if (stop.getAsBoolean()) {
            return "still sending at the end (" + mb(sent) + " sent, nothing refused)";
        }
        String closed = readCloseQuietly(in);
        return closed != null ? closed + " after all " + mb(sent) : "all " + mb(sent) + " sent, no close within 10 s";
    }

    private static String mb(long bytes) {
        return bytes >= 1 << 20 ? "~" + bytes / (1 << 20) + " MB" : "<1 MB";
    }

    /** Reads frames until a close frame ("close CODE"), EOF ("EOF"), a reset or the socket timeout (null). */
    private static String readCloseQuietly(DataInputStream in) {
        try {
            return readClose(in, false);
        } catch (SocketTimeoutException e) {
            return null;
        } catch (IOException e) {
            return "reset";
        }
    }

    /**
     * @param onlyAvailable stop (null) when no more bytes are waiting instead of reading on; frames the node sends
     *                      are small, so a frame that has begun arriving is read whole
     */
    private static String readClose(DataInputStream in, boolean onlyAvailable) throws IOException {
        while (true) {
            if (onlyAvailable && in.available() == 0) {
                return null;
            }
            int b0 = in.read();
            if (b0 < 0) {
                return "EOF";
            }
            int b1 = in.readUnsignedByte();
            long len = b1 & 0x7F;
            if (len == 126) {
                len = in.readUnsignedShort();
            } else if (len == 127) {
                len = in.readLong();
            }
            if ((b0 & 0x0F) == 0x8) {
                int code = len >= 2 ? in.readUnsignedShort() : 1005;
                return "close " + code;
            }
            in.skipNBytes(len);
        }
    }

    /** A masked frame header (zero mask key) with FIN/opcode byte {@code b0} and payload length {@code len}. */
    private static byte[] header(int b0, long len) {
        byte[] h;
        if (len < 126) {
            h = new byte[] {(byte) b0, (byte) (0x80 | len), 0, 0, 0, 0};
        } else if (len < 65_536) {
            h = new byte[] {(byte) b0, (byte) (0x80 | 126), (byte) (len >> 8), (byte) len, 0, 0, 0, 0};
        } else {
            h = new byte[14];
            h[0] = (byte) b0;
            h[1] = (byte) (0x80 | 127);
            for (int i = 0; i < 8; i++) {
                h[2 + i] = (byte) (len >>> (56 - 8 * i));
            }
        }
        return h;
    }

    static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
