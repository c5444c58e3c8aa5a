package io.channelpush.bench;

import java.util.Arrays;

/**
 * Entry point of the benchmarks: the first argument names one, the rest are its options.
 * {@code mvn -B -q -Pbench -DskipTests test-compile exec:exec -Dbench.args="daemon --help"}.
 */
public final class BenchMain {
    static final String USAGE = """
            usage: BenchMain <benchmark> [options]     (BenchMain <benchmark> --help for its options)
              daemon   channel daemon fan-out: events/s and publish-to-receive latency, 1 publisher -> S subscribers
              daemon-acked  acknowledged publishes (protocol 2) through the channel daemon: acks/s and events/s,
                       to a plain channel, to a stream with --fsync interval and with --fsync always
              push     WebSocket push harness against any server with the seed's URLs: connects, idle memory,
                       broadcast, targeted, group and to_uid deliveries/s with latency, presence query latency
              daemon-hostile  the channel daemon (own JVM, default settings) under 100 hostile connections beside 2
                       honest nodes: its peak memory vs its bound, the honest traffic's rate, p99 and losses
              bare     the machine without a push server: loopback fan-out of a pre-encoded frame, one write per
                       delivery and K frames per write
              bare-push  the socket work of a targeted push (request, frame to the target, answer) with no server
                       around it: pushes/s, and the CPU per push of server and harness
              bare-connect  WebSocket handshakes with a lean client: against a bare server (the machine's floor) or
                       any server's port (--port, --pid): connects/s per round, CPU per connect
              signed   sustained HMAC-signed publishing: signed requests/s through a node (or the verifier
                       alone) with a new nonce each, and the heap the replay cache holds
              hostile  hostile clients (oversized frames, 64 KB headers, slow loris) against one node while honest
                       clients receive broadcasts: the node's peak memory, delivery rate, p99, what was refused
              handshake-memory  idle memory per WebSocket connection with and without 8 KB of handshake cookies
              acks     acknowledged publishes against plain ones through one channel client to a stream of an
                       in-process daemon: messages/s, the ratio, ack latency
              recovery JSON clients recovering at once after a node restart (daemon and 2 nodes as processes): messages
                       replayed per second and the time until all have recovered
              reconnect  N clients reconnecting at once after a node restart (launcher jar as a process): time from
                       the node being ready until all have their welcome line
              nats-acks  NATS bus publish rate: fire-and-forget, acknowledged by JetStream, acknowledged by a flush
            """;

    private BenchMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
            System.out.print(USAGE);
            System.exit(args.length == 0 ? 2 : 0);
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        int code = switch (args[0]) {
            case "daemon" -> DaemonBench.run(rest, System.out, System.err);
            case "daemon-acked" -> AckedPublishBench.run(rest, System.out, System.err);
            case "push" -> PushBench.run(rest, System.out, System.err);
            case "bare" -> BareFanout.run(rest, System.out, System.err);
            case "bare-push" -> BarePush.run(rest, System.out, System.err);
            case "bare-connect" -> BareConnect.run(rest, System.out, System.err);
            case "signed" -> SignedPublishBench.run(rest, System.out, System.err);
            case "hostile" -> HostileBench.run(rest, System.out, System.err);
            case "handshake-memory" -> HandshakeMemory.run(rest, System.out, System.err);
            case "daemon-hostile" -> DaemonHostileBench.run(rest, System.out, System.err);
            case "acks" -> AckBench.run(rest, System.out, System.err);
            case "recovery" -> RecoveryBench.run(rest, System.out, System.err);
            case "reconnect" -> ReconnectStorm.run(rest, System.out, System.err);
            case "nats-acks" -> NatsAckBench.run(rest, System.out, System.err);
            default -> {
                System.err.println("unknown benchmark: " + args[0]);
                System.err.print(USAGE);
                yield 2;
            }
        };
        System.exit(code);
    }
}
