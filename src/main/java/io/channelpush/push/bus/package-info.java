/**
 * The message bus between nodes: {@link io.channelpush.push.bus.MessageBus} and its implementations. The web
 * application sees only the interface, so backends change without touching the endpoint, servlet or registries.
 */
package io.channelpush.push.bus;
