package io.channelpush.chaos;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.channelpush.processes.DaemonProcess;
import io.channelpush.processes.LauncherProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.HttpClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13's chaos test on the channel daemon: the daemon jar (its own data folder, default settings) and two
 * launcher-jar nodes as processes, 200 clients (100 plain-text that stay connected, 100 JSON that reconnect and
 * recover; a quarter of each in group g1, a quarter in g2), numbered publishes every 10 ms through both nodes, while
 * the daemon is stopped for 10 s, killed and restarted on its folder, and node A is killed. Prints the counts.
 */
class ChaosIT {
    @TempDir
    Path dir;

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void nothingAnsweredOkIsLostThroughADaemonStallADaemonCrashAndANodeCrash() throws Exception {
        HttpClient http = new HttpClient();
        http.setMaxConnectionsPerDestination(8);
        http.start();
        try (DaemonProcess daemon = DaemonProcess.start(Files.createDirectories(dir.resolve("daemon-data")));
             LauncherProcess a = LauncherProcess.start("node-a", List.of("--channel", daemon.address()),
                     dir.resolve("node-a.log"));
             LauncherProcess b = LauncherProcess.start("node-b", List.of("--channel", daemon.address()),
                     dir.resolve("node-b.log"))) {
            ChaosRun.Bus bus = new ChaosRun.Bus() {
                @Override
                public String name() {
                    return "daemon";
                }

                @Override
                public void pause() throws Exception {
                    daemon.process().pause();
                }

                @Override
                public void resume() throws Exception {
                    daemon.process().resume();
                }

                @Override
                public void killAndRestart() throws Exception {
                    daemon.killAndRestart();
                }

                @Override
                public String tail() {
                    return daemon.process().tail(40);
                }
            };
            Verdict v = new ChaosRun(http, List.of(a, b), bus, 200).run();
            v.print(System.out, "chaos run on the channel daemon");
            assertTrue(v.passed(), () -> "chaos run on the channel daemon:\n" + String.join("\n", v.failures()));
        } finally {
            http.stop();
        }
    }
}
