package io.channelpush.push.presence;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.util.Map;

/**
 * Merges the nodes' counts for one reported publish into the publisher's answer:
 * {@code {"ok":true,"recipients":N,"nodes":K}}, where N is the sum of the connections each node queued the message
 * to and K the nodes that answered, plus {@code "partial":true,"missing":[…]} when an expected node did not answer
 * within the wait. An answer that is not a non-negative whole number (a node of another version) counts as missing.
 * Stateless.
 */
public final class PublishReport {
    private PublishReport() {
    }

    /** The answer (JSON) for the counts gathered in {@code r}. */
    public static String merge(ScatterGather.Result r) {
        long recipients = 0;
        int nodes = 0;
        JsonArray missing = new JsonArray();
        r.missing().forEach(missing::add);
        for (Map.Entry<String, String> e : r.answers().entrySet()) {
            long n;
            try {
                n = Long.parseLong(e.getValue());
            } catch (NumberFormatException ex) {
                n = -1;
            }
            if (n < 0) {
                missing.add(e.getKey());
            } else {
                recipients += n;
                nodes++;
            }
        }
        JsonObject o = new JsonObject();
        o.addProperty("ok", true);
        o.addProperty("recipients", recipients);
        o.addProperty("nodes", nodes);
        if (!missing.isEmpty()) {
            o.addProperty("partial", true);
            o.add("missing", missing);
        }
        return o.toString();
    }
}
