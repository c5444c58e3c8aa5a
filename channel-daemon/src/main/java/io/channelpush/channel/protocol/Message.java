package io.channelpush.channel.protocol;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * One decoded frame: its {@link MessageType} and its JSON object, with accessors that turn missing or
 * mistyped fields into {@link ErrorCode#MISSING_FIELD}. Immutable once parsed; safe to hand to another thread.
 */
public final class Message {
    private final MessageType type;
    private final JsonObject json;
    private final int size;

    private Message(MessageType type, JsonObject json, int size) {
        this.type = type;
        this.json = json;
        this.size = size;
    }

    /**
     * Parses a frame body.
     *
     * @throws ProtocolException {@link ErrorCode#BAD_JSON} when the body is not a UTF-8 JSON object,
     *     {@link ErrorCode#UNKNOWN_TYPE} when {@code type} is missing or unknown
     */
    public static Message parse(byte[] body) throws ProtocolException {
        JsonElement root;
        try {
            // ASCII (most frames) is valid UTF-8 as it is: skip the strict decoder and its buffers
            String text = isAscii(body) ? new String(body, StandardCharsets.US_ASCII)
                    : StandardCharsets.UTF_8.newDecoder()
                            .onMalformedInput(CodingErrorAction.REPORT)
                            .onUnmappableCharacter(CodingErrorAction.REPORT)
                            .decode(ByteBuffer.wrap(body)).toString();
            root = JsonParser.parseString(text);
        } catch (CharacterCodingException e) {
            throw new ProtocolException(ErrorCode.BAD_JSON, "frame body is not valid UTF-8");
        } catch (JsonParseException | StackOverflowError e) {
            throw new ProtocolException(ErrorCode.BAD_JSON, "frame body is not valid JSON");
        }
        if (!root.isJsonObject()) {
            throw new ProtocolException(ErrorCode.BAD_JSON, "frame body must be one JSON object");
        }
        JsonObject json = root.getAsJsonObject();
        JsonElement typeField = json.get("type");
        MessageType type = isString(typeField) ? MessageType.fromWire(typeField.getAsString()) : null;
        if (type == null) {
            throw new ProtocolException(ErrorCode.UNKNOWN_TYPE,
                    typeField == null ? "frame has no \"type\" field" : "unknown message type " + typeField);
        }
        return new Message(type, json, body.length);
    }

    /**
     * The {@code type} of a frame body read without building it: a streaming scan that skips every other value, for
     * refusing a large frame before it is materialised. Null when the body has no readable top-level {@code type}
     * (then {@link #parse} gives the precise error).
     */
    public static MessageType peekType(byte[] body) {
        try (JsonReader r = new JsonReader(new InputStreamReader(new ByteArrayInputStream(body), StandardCharsets.UTF_8))) {
            r.beginObject();
            while (r.hasNext()) {
                if (r.nextName().equals("type")) {
                    return r.peek() == JsonToken.STRING ? MessageType.fromWire(r.nextString()) : null;
                }
                r.skipValue();
            }
            return null;
        } catch (IOException | RuntimeException | StackOverflowError e) {
            return null;
        }
    }

    public MessageType type() {
        return type;
    }

    /** Bytes of the frame body this message was parsed from. */
    public int size() {
        return size;
    }

    /** The whole JSON object. */
    public JsonObject json() {
        return json;
    }

    /** A required string field. */
    public String string(String field) throws ProtocolException {
        JsonElement e = json.get(field);
        if (!isString(e)) {
            throw missing(field, "a string");
        }
        return e.getAsString();
    }

    /** An optional string field, or {@code null}. */
    public String optionalString(String field) throws ProtocolException {
        JsonElement e = json.get(field);
        if (e == null || e.isJsonNull()) {
            return null;
        }
        if (!isString(e)) {
            throw missing(field, "a string");
        }
        return e.getAsString();
    }

    /** A required integer field; a fraction or a number outside the {@code long} range is refused. */
    public long number(String field) throws ProtocolException {
        JsonElement e = json.get(field);
        if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
            throw missing(field, "a number");
        }
        try {
            // exact: 1.5 is not 1, and an exponent like 1e99999999999 is refused instead of throwing
            return e.getAsJsonPrimitive().getAsBigDecimal().longValueExact();
        } catch (NumberFormatException | ArithmeticException x) {
            throw missing(field, "an integer");
        }
    }

    /** A required non-empty array of strings. */
    public List<String> strings(String field) throws ProtocolException {
        JsonElement e = json.get(field);
        if (e == null || !e.isJsonArray() || e.getAsJsonArray().isEmpty()) {
            throw missing(field, "a non-empty array of strings");
        }
        JsonArray array = e.getAsJsonArray();
        List<String> out = new ArrayList<>(array.size());
        for (JsonElement item : array) {
            if (!isString(item)) {
                throw missing(field, "a non-empty array of strings");
            }
            out.add(item.getAsString());
        }
        return out;
    }

    /** A required field of any JSON type ({@code null} included, but it must be present). */
    public JsonElement element(String field) throws ProtocolException {
        JsonElement e = json.get(field);
        if (e == null) {
            throw missing(field, "present");
        }
        return e;
    }

    private ProtocolException missing(String field, String what) {
        return new ProtocolException(ErrorCode.MISSING_FIELD,
                "\"" + type.wireName() + "\" needs field \"" + field + "\" to be " + what);
    }

    private static boolean isAscii(byte[] bytes) {
        for (byte b : bytes) {
            if (b < 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean isString(JsonElement e) {
        return e != null && e.isJsonPrimitive() && ((JsonPrimitive) e).isString();
    }
}
