/**
 * The message bus between nodes: {@link io.channelpush.push.bus.MessageBus} and its two implementations,
 * {@link io.channelpush.push.bus.ChannelDaemonBus} (the channel daemon) and {@link io.channelpush.push.bus.NatsBus}
 * (NATS core publish/subscribe, and JetStream for the stream channels: {@code NatsStreams}). The web application sees only the interface, so backends change without touching
 * the endpoint, servlet or registries. The bus carries bytes: {@link io.channelpush.push.bus.BusMessage} is what
 * nodes say to each other and {@link io.channelpush.push.bus.BusCodec} the one codec of it (channel and fields).
 */
package io.channelpush.push.bus;
