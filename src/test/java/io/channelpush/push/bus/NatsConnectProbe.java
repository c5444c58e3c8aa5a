package io.channelpush.push.bus;

import io.nats.client.Connection;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * What a test says when a bus does not connect: where jnats stands, what each server answers a plain socket that
 * speaks the NATS protocol (its INFO line, then PONG to a PING), and where the JVM's NATS threads are. Tells a server
 * that does not answer from a client that does not ask. Stateless; thread-safe.
 */
final class NatsConnectProbe {
    private static final int TIMEOUT_MS = 2_000;

    private NatsConnectProbe() {
    }

    /** The report, one line per fact, each starting with a newline. */
    static String report(NatsBus bus, String servers) {
        StringBuilder b = new StringBuilder();
        Connection c = bus.connection();
        if (c == null) {
            b.append("\n--- jnats: no connection event yet");
        } else {
            b.append("\n--- jnats: ").append(c.getStatus()).append(", last error ").append(c.getLastError())
                    .append(", connected to ").append(c.getConnectedUrl()).append(", servers ").append(c.getServers());
        }
        for (URI server : NatsBus.parseServers(servers)) {
            b.append("\n--- ").append(server).append(": ").append(probe(server));
        }
        return b.append("\n--- NATS threads:").append(threads()).toString();
    }

    /**
     * Where each of this JVM's NATS threads is (the bus's {@code channelpush-nats-*} and jnats' own), a line each
     * and the top of its stack: a thread stuck in set-up or in connecting shows here.
     */
    static String threads() {
        StringBuilder b = new StringBuilder();
        Thread.getAllStackTraces().forEach((t, stack) -> {
            if (t.getName().toLowerCase(java.util.Locale.ROOT).contains("nats")) {
                b.append("\n").append(t.getName()).append(" ").append(t.getState());
                for (int i = 0; i < Math.min(12, stack.length); i++) {
                    b.append("\n    at ").append(stack[i]);
                }
            }
        });
        return b.toString();
    }

    /** The server's first line, then its answer to CONNECT and PING, each within 2 s. */
    private static String probe(URI server) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(server.getHost(), server.getPort()), TIMEOUT_MS);
            s.setSoTimeout(TIMEOUT_MS);
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            String info = in.readLine();
            OutputStream out = s.getOutputStream();
            out.write("CONNECT {\"verbose\":false}\r\nPING\r\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            String answer = in.readLine();
            return "said " + abbreviate(info) + ", then " + answer + " to a PING";
        } catch (IOException e) {
            return "plain socket: " + e;
        }
    }

    private static String abbreviate(String line) {
        return line == null || line.length() <= 160 ? line : line.substring(0, 160) + "...";
    }
}
