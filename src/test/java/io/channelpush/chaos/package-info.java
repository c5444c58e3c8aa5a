/**
 * Chaos tests of issue 13's delivery guarantees on real processes: a bus (the channel daemon jar, or a JetStream
 * cluster of nats-server processes), two launcher-jar nodes, hundreds of WebSocket clients (plain-text ones that
 * stay connected, {@code ?format=json} ones that reconnect and recover) and numbered publishes through both nodes,
 * while the bus is stopped, killed and restarted and a node is killed. {@link io.channelpush.chaos.ChaosRun} drives a
 * run phase by phase, {@link io.channelpush.chaos.Verdict} checks and prints what reached whom.
 */
package io.channelpush.chaos;
