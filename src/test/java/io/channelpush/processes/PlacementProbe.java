package io.channelpush.processes;

import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.JetStreamOptions;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Whether a fresh JetStream cluster can place a stream on all its servers, asked by creating (then deleting) a
 * memory stream with that many replicas through a plain jnats client; the test clusters are formed through
 * {@link #formPlaceable} before a test uses them: nats-server 2.10.27 once formed a cluster, every server healthy, whose meta leader answered "no suitable
 * peers" (10005) to every R3 stream for 90 s (1 {@code NatsChaosIT} run in 9; its pooled routes had been replaced
 * as duplicates while it formed). Such a cluster tests nothing of ours. Stateless; thread-safe.
 */
public final class PlacementProbe {
    private static final String STREAM = "CHANNELPUSH_TEST_PLACEMENT";

    private static final Duration LIMIT = Duration.ofSeconds(20);

    /** Starts a cluster's servers with their folders under the path given. */
    public interface Former<C> {
        C form(Path dir) throws Exception;
    }

    /** Stops a cluster's servers. */
    public interface Stopper<C> {
        void stop(C cluster) throws InterruptedException;
    }

    private PlacementProbe() {
    }

    /**
     * A cluster formed under {@code dir} that can place a stream of {@code replicas} within 20 s; one that cannot is
     * stopped and formed again once, under {@code dir/formed-again}, saying so on standard output.
     *
     * @param url a client URL of the formed cluster
     * @throws AssertionError when the second cluster cannot either
     */
    public static <C> C formPlaceable(Path dir, int replicas, Former<C> form, Function<C, String> url,
                                      Stopper<C> stop) throws Exception {
        C c = form.form(dir);
        String failure = failure(url.apply(c), replicas, LIMIT);
        if (failure == null) {
            return c;
        }
        System.out.println("nats-server formed a cluster that placed no R" + replicas + " stream within "
                + LIMIT.toSeconds() + " s (" + failure + "); forming it again");
        stop.stop(c);
        c = form.form(Files.createDirectories(dir.resolve("formed-again")));
        failure = failure(url.apply(c), replicas, LIMIT);
        if (failure != null) {
            stop.stop(c);
            throw new AssertionError("nats-server formed twice a cluster that placed no R" + replicas
                    + " stream within " + LIMIT.toSeconds() + " s: " + failure);
        }
        return c;
    }

    /**
     * Tries for up to {@code limit}, every 200 ms.
     *
     * @return null when a stream of {@code replicas} was created (and deleted again), else the last answer
     */
    static String failure(String url, int replicas, Duration limit) throws InterruptedException {
        Options o = new Options.Builder().server(url).connectionTimeout(Duration.ofSeconds(2)).build();
        long end = System.nanoTime() + limit.toNanos();
        String last = "no answer";
        try (Connection c = Nats.connect(o)) {
            JetStreamManagement jsm = c.jetStreamManagement(
                    JetStreamOptions.builder().requestTimeout(Duration.ofSeconds(2)).build());
            while (System.nanoTime() < end) {
                try {
                    jsm.addStream(StreamConfiguration.builder().name(STREAM).subjects("channelpush.test.placement")
                            .storageType(StorageType.Memory).replicas(replicas).build());
                    jsm.deleteStream(STREAM);
                    return null;
                } catch (JetStreamApiException | IOException e) {
                    last = e.toString();
                }
                TimeUnit.MILLISECONDS.sleep(200); // retry pacing
            }
        } catch (IOException e) {
            return "no connection to " + url + ": " + e;
        }
        return last;
    }
}
