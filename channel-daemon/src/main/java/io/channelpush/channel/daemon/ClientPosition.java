package io.channelpush.channel.daemon;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.channelpush.channel.protocol.ErrorCode;
import io.channelpush.channel.protocol.ProtocolException;

/**
 * A reader's position in a stream as a client sends it, {@code {"epoch": E, "offset": N}} (the {@code from} of a
 * resume, the {@code after} of a history request), strictly checked. Immutable.
 */
record ClientPosition(String epoch, long offset) {
    static ClientPosition of(JsonElement e, String field) throws ProtocolException {
        if (e == null || e.isJsonNull()) {
            return null;
        }
        if (!e.isJsonObject()) {
            throw bad(field);
        }
        JsonObject o = e.getAsJsonObject();
        JsonElement ep = o.get("epoch");
        JsonElement off = o.get("offset");
        if (ep == null || !ep.isJsonPrimitive() || !ep.getAsJsonPrimitive().isString() || off == null
                || !off.isJsonPrimitive() || !off.getAsJsonPrimitive().isNumber()) {
            throw bad(field);
        }
        try {
            long n = off.getAsJsonPrimitive().getAsBigDecimal().longValueExact();
            if (n < 0) {
                throw bad(field);
            }
            return new ClientPosition(ep.getAsString(), n);
        } catch (ArithmeticException | NumberFormatException x) {
            throw bad(field);
        }
    }

    private static ProtocolException bad(String field) {
        return new ProtocolException(ErrorCode.MISSING_FIELD,
                "\"" + field + "\" must be {\"epoch\": string, \"offset\": non-negative integer}");
    }
}
