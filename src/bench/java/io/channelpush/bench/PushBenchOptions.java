package io.channelpush.bench;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Options of the {@code push} harness. Immutable.
 *
 * @param wsUrls WebSocket URLs of the nodes (seed form {@code ws://host:port/}); clients are spread over them
 * @param httpUrls publisher URLs ({@code http://host:port/}); publishes are spread over them
 * @param clients WebSocket clients to open
 * @param sources local addresses to connect from (127.0.0.2, ...), to get past one address pair's ephemeral ports
 * @param broadcasts broadcasts for the fan-out phase
 * @param pushes targeted pushes for the targeted phase
 * @param groups groups the clients join (client i joins group i mod groups)
 * @param groupMessages {@code send_to_group} messages for the group phase
 * @param payload content size in bytes
 * @param window publishes (or pushes) in flight at most
 * @param rate publishes per second at most, 0 for no limit besides the window
 * @param pids server process ids whose resident memory is read before and after the clients connect
 * @param phases which of idle, broadcast, targeted, groups, users, presence to run
 * @param timeoutSeconds hard limit of each phase
 * @param out JSON report file
 * @param holdSeconds keep the clients connected this long after the idle measurement (for inspecting a server)
 * @param client which WebSocket client: {@code nio} (the JDK's non-blocking sockets) or {@code jetty}
 * @param clientThreads selector threads of the nio client
 * @param inFlight broadcasts on their way at most (published, not yet received by every client); 0 for no bound
 * @param warmConnections clients opened and closed before the connect rate and the memory baseline are measured
 * @param warmupBroadcasts broadcasts sent as fast as the window allows before the broadcast phase's own warm-up
 * @param publishToken bearer token sent with every publisher request, empty for none
 * @param queries presence queries of each kind in the presence phase
 * @param connectWindow handshakes in flight at most while the clients connect (connect started, welcome not read)
 */
record PushBenchOptions(List<URI> wsUrls, List<URI> httpUrls, int clients, List<String> sources, int broadcasts,
                        int pushes, int groups, int groupMessages, int payload, int window, int rate, List<Long> pids,
                        Set<String> phases, int timeoutSeconds, String out, int holdSeconds, String client,
                        int clientThreads, int inFlight, int warmConnections, int warmupBroadcasts,
                        String publishToken, int queries, int connectWindow) {

    static final String USAGE = """
            usage: BenchMain push [options]   (a running push cluster, seed URLs; only loopback addresses)
              (broadcast and targeted phases start with an unreported warm-up of a fifth of their count; the
               broadcast phase first sends --warmup-broadcasts as fast as the window allows)
              --ws URL[,URL]          WebSocket URLs (default ws://127.0.0.1:4236/)
              --http URL[,URL]        publisher URLs (default http://127.0.0.1:4237/)
              --clients N             WebSocket clients (default 1000)
              --connect-window W      handshakes in flight at most while connecting: a new connect starts as
                                      soon as one is welcomed (default 1000)
              --sources A[,A]         local addresses to connect from (default 127.0.0.1; use 127.0.0.2,... past 28,000)
              --broadcasts M          broadcasts in the fan-out phase (default 100)
              --pushes P              targeted pushes (default 10000)
              --groups G              groups joined over the socket (default 10)
              --group-messages K      send_to_group messages (default 100)
              --payload BYTES         content size (default 100)
              --window W              publishes in flight at most (default 8)
              --rate R                publishes per second at most, 0 = no limit (default 0)
              --in-flight N           broadcasts on their way at most: the next is published when the one N
                                      before it has reached every client, 0 = no such bound (default 0)
              --pids PID[,PID]        server processes whose resident memory is measured (idle phase)
              --warmup-broadcasts N   unpaced broadcasts before the broadcast phase (default 100)
              --warm-connections K    clients opened and closed before the connect rate and the memory baseline
                                      are measured, so that one-time costs (threads, compiled code, the
                                      harness's too) are not charged (default 1000)
              --phases LIST           idle,broadcast,targeted,groups (default), and users: every two clients
                                      bound to one user (bind_uid), then --pushes to_uid pushes; and presence:
                                      users bound as for users, each user's clients in group presence-<user mod
                                      --groups>, then --queries presence queries of each kind (presence=1, a page
                                      of group_members, online for 10 ids, user_groups) one at a time through the
                                      first --http URL, every answer checked: latency p50/p99/max per kind. The
                                      clients always connect first (the connect rate); idle adds the memory
                                      reading (with --pids), so --phases connect measures connects alone
              --queries Q             presence queries of each kind (default 1000)
              --publish-token T       send Authorization: Bearer T with every publisher request (default none)
              --timeout-seconds S     limit per phase (default 120)
              --out FILE              JSON report (default target/bench-push.json)
              --hold-seconds S        keep the clients connected S seconds after the idle measurement (default 0)
              --client nio|jetty      WebSocket client: the JDK's non-blocking sockets, or Jetty's (default nio)
              --client-threads T      selector threads of the nio client (default 1)
            """;

    static PushBenchOptions parse(String[] args) {
        List<URI> ws = List.of(URI.create("ws://127.0.0.1:4236/"));
        List<URI> http = List.of(URI.create("http://127.0.0.1:4237/"));
        int clients = 1000;
        List<String> sources = List.of("127.0.0.1");
        int broadcasts = 100;
        int pushes = 10_000;
        int groups = 10;
        int groupMessages = 100;
        int payload = 100;
        int window = 8;
        int rate = 0;
        List<Long> pids = List.of();
        Set<String> phases = Set.of("idle", "broadcast", "targeted", "groups");
        int timeout = 120;
        String out = "target/bench-push.json";
        int hold = 0;
        String client = "nio";
        int clientThreads = 1;
        int inFlight = 0;
        int warm = 1000;
        int warmupBroadcasts = 100;
        String publishToken = "";
        int queries = 1000;
        int connectWindow = 1000;
        for (int i = 0; i < args.length; i += 2) {
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(args[i] + " needs a value");
            }
            String v = args[i + 1];
            switch (args[i]) {
                case "--ws" -> ws = uris(v);
                case "--http" -> http = uris(v);
                case "--clients" -> clients = positive(args[i], v);
                case "--sources" -> sources = List.of(v.split(","));
                case "--broadcasts" -> broadcasts = positive(args[i], v);
                case "--pushes" -> pushes = positive(args[i], v);
                case "--groups" -> groups = positive(args[i], v);
                case "--group-messages" -> groupMessages = positive(args[i], v);
                case "--payload" -> payload = positive(args[i], v);
                case "--window" -> window = positive(args[i], v);
                case "--rate" -> rate = Integer.parseInt(v);
                case "--pids" -> pids = List.of(v.split(",")).stream().map(Long::parseLong).toList();
                case "--phases" -> phases = Set.of(v.split(","));
                case "--timeout-seconds" -> timeout = positive(args[i], v);
                case "--out" -> out = v;
                case "--hold-seconds" -> hold = Integer.parseInt(v);
                case "--client" -> client = v;
                case "--client-threads" -> clientThreads = positive(args[i], v);
                case "--in-flight" -> inFlight = Integer.parseInt(v);
                case "--warm-connections" -> warm = Integer.parseInt(v);
                case "--warmup-broadcasts" -> warmupBroadcasts = Integer.parseInt(v);
                case "--publish-token" -> publishToken = v;
                case "--queries" -> queries = positive(args[i], v);
                case "--connect-window" -> connectWindow = positive(args[i], v);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        for (URI u : concat(ws, http)) {
            if (!u.getHost().startsWith("127.") && !u.getHost().equals("localhost")) {
                throw new IllegalArgumentException("only loopback targets are allowed here, not " + u);
            }
        }
        for (String s : sources) {
            if (!s.startsWith("127.")) {
                throw new IllegalArgumentException("only loopback source addresses are allowed, not " + s);
            }
        }
        if (!client.equals("nio") && !client.equals("jetty")) {
            throw new IllegalArgumentException("--client must be nio or jetty, not " + client);
        }
        return new PushBenchOptions(ws, http, clients, sources, broadcasts, pushes, groups, groupMessages, payload,
                window, rate, pids, phases, timeout, out, hold, client, clientThreads, inFlight, warm, warmupBroadcasts,
                publishToken, queries, connectWindow);
    }

    private static List<URI> concat(List<URI> a, List<URI> b) {
        List<URI> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private static List<URI> uris(String v) {
        return List.of(v.split(",")).stream().map(URI::create).toList();
    }

    private static int positive(String option, String v) {
        int n = Integer.parseInt(v);
        if (n <= 0) {
            throw new IllegalArgumentException(option + " must be positive");
        }
        return n;
    }
}
