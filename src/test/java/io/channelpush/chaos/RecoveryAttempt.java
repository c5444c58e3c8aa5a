package io.channelpush.chaos;

import com.google.gson.JsonObject;
import java.util.Map;

/**
 * One {@code recover} a {@link ChaosClient} sent: the positions asked for, when and on which node, how many messages
 * came before its answer, the answer ({@code recovered}'s streams) or why there was none. Guarded by its client.
 */
final class RecoveryAttempt {
    final int phase;
    final String node;
    final Map<String, ChaosClient.Position> asked;
    int replayed;
    Map<String, Boolean> result;
    String refused;

    RecoveryAttempt(int phase, String node, Map<String, ChaosClient.Position> asked) {
        this.phase = phase;
        this.node = node;
        this.asked = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(asked));
    }

    /** {@code {"cmd":"recover","streams":{"broadcast":{"epoch":E,"offset":N},...}}}. */
    String command() {
        JsonObject streams = new JsonObject();
        asked.forEach((stream, p) -> {
            JsonObject at = new JsonObject();
            at.addProperty("epoch", p.epoch());
            at.addProperty("offset", p.offset());
            streams.add(stream, at);
        });
        JsonObject cmd = new JsonObject();
        cmd.addProperty("cmd", "recover");
        cmd.add("streams", streams);
        return cmd.toString();
    }
}
