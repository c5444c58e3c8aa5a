package io.channelpush.push;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The heap the user bookkeeping adds per connection, measured on one {@link PushNode} without sockets
 * ({@link InMemoryBus}, {@link FakeWebSocket}): N connections are opened first, then bound to users (one per user,
 * then two per user), then each user is given a group; the heap after full GCs is read between steps. Prints the
 * figures; a benchmark, not a test. In this package for the node's package-private API.
 *
 * <p>{@code java -Xmx2g -cp target/test-classes:target/classes:$(cat target/bench-classpath.txt)
 * io.channelpush.push.UserMemoryBench 50000}
 */
public final class UserMemoryBench {
    private UserMemoryBench() {
    }

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 50_000;
        InMemoryBus bus = new InMemoryBus();
        try (PushNode node = new PushNode(PushConfig.load(Map.of(PushConfig.WORKER_ID, "mem",
                PushConfig.MAX_CONNECTIONS, String.valueOf(n + 1),
                PushConfig.MAX_USERS_WITH_GROUPS, String.valueOf(n + 1))::get),
                listener -> bus, (worker, what, error) -> System.err.println("fatal: " + what + ": " + error))) {
            List<PushSession> sessions = new ArrayList<>(n);
            List<FakeWebSocket> sockets = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                FakeWebSocket ws = new FakeWebSocket();
                sockets.add(ws);
                PushSession session = node.open(ws.session());
                ws.onClose(f -> node.closed(session));
                sessions.add(session);
            }
            sockets.forEach(ws -> ws.completeAll(null));
            long base = heap();
            System.out.printf("# %,d connections on one node, Java %s%n", n, System.getProperty("java.version"));
            for (int i = 0; i < n; i++) {
                node.users().bind(sessions.get(i), "user-" + i);
            }
            long oneEach = heap();
            report("one connection per user", oneEach - base, n);
            for (int i = 0; i < n; i++) {
                node.users().bind(sessions.get(i), "user-" + (i / 2));
            }
            long twoEach = heap();
            report("two connections per user", twoEach - base, n);
            for (int i = 0; i < n / 2; i++) {
                node.users().addGroup("user-" + i, "room-" + (i % 1000));
            }
            long grouped = heap();
            report("two per user, one user group each (in 1,000 groups)", grouped - base, n);
            if (node.users().userCount() != (n + 1) / 2 || sessions.get(n - 1).groups().size() != 1) {
                throw new IllegalStateException("bookkeeping is not what was built: " + node.users().userCount()
                        + " users");
            }
            System.out.println("# sessions kept: " + sessions.size() + ", sockets kept: " + sockets.size());
        }
    }

    private static void report(String what, long bytes, int n) {
        System.out.printf("%-55s %,12d bytes = %,7.1f bytes per connection%n", what, bytes, (double) bytes / n);
    }

    private static long heap() {
        for (int i = 0; i < 4; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
