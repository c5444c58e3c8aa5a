package io.channelpush.push.bus;

/** One message of a stream as the bus kept it: its position and its payload (as {@link BusCodec} encoded it). */
public record StreamEvent(StreamPosition position, byte[] payload) {
}
