package io.channelpush.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The launcher's in-process channel daemon is the node's bus: when its event loop dies, the launcher's fatal-error
 * sink ({@link ProcessHalt}, with the halt recorded instead of done) ends the process with {@link ProcessHalt#EXIT_CODE}.
 */
class InProcessDaemonFatalTest {
    @Test
    void aDeadInProcessDaemonHaltsTheLauncherWithTheFatalStatus() throws Exception {
        LinkedBlockingQueue<Integer> halts = new LinkedBlockingQueue<>();
        LauncherOptions o = LauncherOptions.parse(new String[] {"--ws-port", "0", "--http-port", "0",
                "--channel-port", "0", "--worker-id", "daemon-death",
                "--channel-data-dir", io.channelpush.channel.TestData.freshDir().toString()});
        try (Launcher l = Launcher.start(o, Map.of(), Map.of(), new ProcessHalt(halts::add))) {
            Thread loop = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().equals("channel-daemon-" + l.channelPort())).findFirst().orElse(null);
            assertNotNull(loop, "the in-process daemon's loop thread channel-daemon-" + l.channelPort());
            assertNull(halts.poll(), "no halt while the daemon runs");
            kill(loop);
            assertEquals(ProcessHalt.EXIT_CODE, halts.poll(20, TimeUnit.SECONDS),
                    "the launcher halts when its in-process daemon's loop dies");
        }
    }

    /** Throws an {@link Error} (ThreadDeath) inside the loop thread, as an OutOfMemoryError there would. */
    @SuppressWarnings({"deprecation", "removal"})
    private static void kill(Thread loop) throws InterruptedException {
        loop.stop();
        loop.join(20_000);
    }
}
