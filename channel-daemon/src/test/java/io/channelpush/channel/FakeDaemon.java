package io.channelpush.channel;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.channelpush.channel.protocol.FrameCodec;
import io.channelpush.channel.protocol.ProtocolException;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A scripted channel daemon for client tests: a real {@link ServerSocket} on 127.0.0.1 (port 0) whose accepted
 * connections the test drives frame by frame, so that it can fail at exactly the point it wants. Frames are read
 * with a 5 s timeout. Not thread-safe: one test thread drives it.
 */
public final class FakeDaemon implements AutoCloseable {
    private final ServerSocket server;
    private final LinkedBlockingQueue<Conn> accepted = new LinkedBlockingQueue<>();
    private final Thread acceptor;

    public FakeDaemon() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = new Thread(() -> {
            try {
                while (true) {
                    accepted.add(new Conn(server.accept()));
                }
            } catch (IOException e) {
                // closed
            }
        }, "fake-daemon-acceptor");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    /** The next connection the client opens; fails after 5 s. */
    public Conn accept() throws InterruptedException, IOException {
        Conn c = accepted.poll(5, TimeUnit.SECONDS);
        if (c == null) {
            throw new IOException("the client did not connect within 5 s");
        }
        return c;
    }

    /** The next connection, after its hello, answered with a protocol 2 welcome of {@code epoch}. */
    public Conn acceptV2(String epoch) throws InterruptedException, IOException {
        Conn c = accept();
        JsonObject hello = c.read();
        if (!"hello".equals(hello.get("type").getAsString()) || hello.get("protocol").getAsInt() != 2) {
            throw new IOException("expected hello with protocol 2, got " + hello);
        }
        c.send("{\"type\":\"welcome\",\"protocol\":2,\"server\":\"fake\",\"epoch\":\"" + epoch + "\"}");
        return c;
    }

    @Override
    public void close() throws IOException {
        server.close();
        Conn c;
        while ((c = accepted.poll()) != null) {
            c.close();
        }
    }

    /** One accepted connection. */
    public static final class Conn implements AutoCloseable {
        final Socket socket;
        private final DataInputStream in;
        private final OutputStream out;

        Conn(Socket socket) throws IOException {
            this.socket = socket;
            socket.setSoTimeout(5_000);
            in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
            out = socket.getOutputStream();
        }

        public void send(String json) throws IOException {
            out.write(FrameCodec.encode(json));
            out.flush();
        }

        /** The next frame; fails after 5 s. */
        public JsonObject read() throws IOException {
            byte[] body;
            try {
                body = FrameCodec.read(in, 16 << 20);
            } catch (ProtocolException e) {
                throw new IOException(e);
            }
            if (body == null) {
                throw new EOFException("client closed the connection");
            }
            return JsonParser.parseString(new String(body, StandardCharsets.UTF_8)).getAsJsonObject();
        }

        /** The next frame of {@code type}, skipping pings and others; fails after 5 s without one. */
        public JsonObject read(String type) throws IOException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (System.nanoTime() < deadline) {
                JsonObject o = read();
                if (type.equals(o.get("type").getAsString())) {
                    return o;
                }
            }
            throw new IOException("no " + type + " frame within 5 s");
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
