package io.channelpush.push.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.channelpush.push.LogCapture;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A node connected to a nats-server older than 2.10 says so, once per connection, with what to do; on a newer one
 * it says nothing of the version. The server is a socket on 127.0.0.1 that speaks just enough of the NATS protocol
 * for jnats to connect (its INFO carries the version), so no old nats-server needs to be installed.
 */
@Timeout(60)
class NatsServerVersionTest {
    @Test
    void aServerOlderThan2Point10IsNamedInAWarningThatSaysToUpgrade() throws Exception {
        List<LogRecord> records = connectTo("2.9.10");
        List<LogRecord> warnings = records.stream().filter(r -> r.getMessage().contains("runs nats-server")).toList();
        assertEquals(1, warnings.size(), "one line: " + warnings.stream().map(LogRecord::getMessage).toList());
        LogRecord w = warnings.get(0);
        assertEquals(Level.WARNING, w.getLevel());
        assertTrue(w.getMessage().contains("runs nats-server 2.9.10") && w.getMessage().contains("fake-old")
                && w.getMessage().contains("upgrade the NATS servers to 2.10.0 or newer"), w.getMessage());
    }

    @Test
    void aServerOf2Point10OrNewerIsNotWarnedAbout() throws Exception {
        for (String version : List.of("2.10.27", "2.11.0")) {
            List<LogRecord> records = connectTo(version);
            assertTrue(records.stream().noneMatch(r -> r.getMessage().contains("runs nats-server")), version + ": "
                    + records.stream().map(LogRecord::getMessage).toList());
        }
    }

    /** What NatsBus logged until its listener heard of the connection (the version is checked before that). */
    private static List<LogRecord> connectTo(String version) throws Exception {
        try (FakeServer server = new FakeServer(version); LogCapture log = new LogCapture(NatsBus.class, Level.ALL)) {
            CountDownLatch connected = new CountDownLatch(1);
            try (NatsBus bus = NatsBus.connect(NatsBus.parseServers(server.url()), "test", 1 << 20, NatsSecurity.NONE,
                    new QuietListener() {
                        @Override
                        public void onConnected(boolean reconnect) {
                            connected.countDown();
                        }
                    })) {
                assertTrue(connected.await(20, TimeUnit.SECONDS), "connected to the fake server");
                return log.records();
            }
        }
    }

    /** Accepts connections one at a time: INFO with the version, then PONG to every PING; the rest is ignored. */
    private static final class FakeServer implements AutoCloseable {
        private final ServerSocket socket = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
        private final Thread thread;

        FakeServer(String version) throws IOException {
            String info = "INFO {\"server_id\":\"FAKE\",\"server_name\":\"fake-old\",\"version\":\"" + version
                    + "\",\"proto\":1,\"host\":\"127.0.0.1\",\"port\":" + socket.getLocalPort()
                    + ",\"max_payload\":1048576,\"headers\":true,\"jetstream\":true}\r\n";
            thread = new Thread(() -> serve(info), "fake-nats-server");
            thread.setDaemon(true);
            thread.start();
        }

        String url() {
            return "nats://127.0.0.1:" + socket.getLocalPort();
        }

        private void serve(String info) {
            while (!socket.isClosed()) {
                try (Socket c = socket.accept()) {
                    OutputStream out = c.getOutputStream();
                    out.write(info.getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    BufferedReader in = new BufferedReader(new InputStreamReader(c.getInputStream(),
                            StandardCharsets.US_ASCII));
                    for (String line; (line = in.readLine()) != null; ) {
                        if (line.startsWith("PING")) {
                            out.write("PONG\r\n".getBytes(StandardCharsets.US_ASCII));
                            out.flush();
                        }
                    }
                } catch (IOException e) {
                    // the client went, or the test closed the socket
                }
            }
        }

        @Override
        public void close() throws Exception {
            socket.close();
            thread.join(5_000);
        }
    }
}
