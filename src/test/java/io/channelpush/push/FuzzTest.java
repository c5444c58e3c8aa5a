package io.channelpush.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.channelpush.launcher.Launcher;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** 10,000 random or malformed inputs: the node never answers 500 and keeps serving. */
class FuzzTest {
    private static final String[] FRAGMENTS = {"{", "}", "[", "]", "\"", ":", ",", "cmd", "\"cmd\"", "add_group",
        "send_to_group", "leave_group", "group_id", "message", "null", "true", "1e999", "-0", "\\u0000", "\\ud800",
        "\u00e9", "\ud83d\ude80", " ", "\"id\"", "12345678901234567890", "{\"cmd\":\"add_group\",\"group_id\":"};
    private static PushFixture fx;
    private static Launcher node;

    @BeforeAll
    static void start() throws Exception {
        fx = new PushFixture();
        node = fx.node("fuzz", "--set", "channelpush.max-commands-per-second=100000",
                "--set", "channelpush.max-groups-per-connection=100000");
    }

    @AfterAll
    static void stop() throws Exception {
        fx.close();
    }

    private static String randomMessage(Random r) {
        StringBuilder b = new StringBuilder();
        int parts = r.nextInt(12);
        for (int i = 0; i < parts; i++) {
            if (r.nextInt(4) == 0) {
                b.append((char) r.nextInt(0x3000));
            } else {
                b.append(FRAGMENTS[r.nextInt(FRAGMENTS.length)]);
            }
        }
        if (r.nextInt(50) == 0) {
            b.append("[".repeat(5_000));
        }
        return b.toString();
    }

    @Test
    void fiveThousandRandomSocketMessagesGetErrorsOrAcksAndTheNodeKeepsServing() throws Exception {
        Random r = new Random(7);
        List<TestClient> clients = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            clients.add(fx.connect(node));
        }
        for (int i = 0; i < 5_000; i++) {
            clients.get(i % 5).send(randomMessage(r));
        }
        // every client is still connected and answers a well-formed command after its junk
        for (TestClient c : clients) {
            c.send("{\"cmd\":\"add_group\",\"group_id\":\"fuzz-end\",\"id\":\"end\"}");
            while (true) {
                String m = c.next();
                if (m.startsWith("{\"type\":\"ack\",\"id\":\"end\"")) {
                    break;
                }
                // replies are JSON objects with a type; group messages from junk send_to_group are plain text
                if (m.startsWith("{\"type\"")) {
                    JsonObject o = JsonParser.parseString(m).getAsJsonObject();
                    assertTrue(o.get("type").getAsString().matches("ack|error"), m);
                }
            }
            assertTrue(c.isOpen());
        }
        TestClient fresh = fx.connect(node);
        assertEquals("ok", fx.get(node, "content=after-fuzz").getContentAsString());
        String m;
        do {
            m = fresh.next();
        } while (!m.equals("after-fuzz"));
    }

    @Test
    void fiveThousandRandomPublisherQueryStringsNeverGet500() throws Exception {
        Random r = new Random(11);
        String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789=&%+-_.~!*'();:@$,/?#[]{}|^`\"<>\\";
        Map<Integer, Integer> statuses = new TreeMap<>();
        String[] names = {"content", "to_worker_id", "to_connection_id", "group_id", "x"};
        for (int i = 0; i < 5_000; i++) {
            StringBuilder q = new StringBuilder();
            int params = r.nextInt(5);
            for (int p = 0; p < params; p++) {
                q.append(names[r.nextInt(names.length)]).append(r.nextBoolean() ? "=" : "");
                int len = r.nextInt(20);
                for (int k = 0; k < len; k++) {
                    q.append(r.nextInt(6) == 0 ? "%" + Integer.toHexString(r.nextInt(256))
                            : String.valueOf(alphabet.charAt(r.nextInt(alphabet.length()))));
                }
                q.append(r.nextInt(4) == 0 ? "" : "&");
            }
            int status = rawGet(q.toString().replace("#", "%23"));
            statuses.merge(status, 1, Integer::sum);
            assertTrue(status > 0 && status < 500, "query " + q + " answered " + status);
        }
        System.out.println("publisher fuzz: status counts " + statuses);
        TestClient c = fx.connect(node);
        assertEquals("ok", fx.get(node, "content=still-ok").getContentAsString());
        // broadcasts accepted just before may still be on their way to the new client
        String m;
        do {
            m = c.next();
        } while (!m.equals("still-ok"));
    }

    /** A GET with the query bytes sent as they are (no client-side validation). */
    private static int rawGet(String query) throws Exception {
        try (Socket s = new Socket("127.0.0.1", node.port(1))) {
            s.setSoTimeout(5_000);
            OutputStream out = s.getOutputStream();
            out.write(("GET /?" + query + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] head = in.readNBytes(12);
            String line = new String(head, StandardCharsets.ISO_8859_1);
            return line.startsWith("HTTP/1.1 ") ? Integer.parseInt(line.substring(9, 12)) : -1;
        }
    }
}
