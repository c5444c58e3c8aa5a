package io.channelpush.channel;

import com.google.gson.JsonElement;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** A handler that records what it receives, for assertions with timeouts. */
final class Recorder implements Consumer<JsonElement> {
    final LinkedBlockingQueue<JsonElement> received = new LinkedBlockingQueue<>();

    @Override
    public void accept(JsonElement data) {
        received.add(data);
    }

    /** The next item, or null after {@code millis}. */
    JsonElement next(long millis) throws InterruptedException {
        return received.poll(millis, TimeUnit.MILLISECONDS);
    }
}
