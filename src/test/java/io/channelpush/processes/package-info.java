/**
 * Test fixtures that run the built artifacts and their peers as real child processes on loopback: the channel
 * daemon jar ({@link io.channelpush.processes.DaemonProcess}), the launcher jar
 * ({@link io.channelpush.processes.LauncherProcess}), a JetStream cluster of nats-server processes
 * ({@link io.channelpush.processes.JetStreamCluster}, its servers started by
 * {@link io.channelpush.processes.NatsServerCommand}, as {@code push.bus.NatsServerProcess}'s are), all built on
 * {@link io.channelpush.processes.ChildProcess},
 * which can pause ({@code SIGSTOP}), resume, kill ({@code SIGKILL}) and restart them the way an operator or a crash
 * would. One place for every process a failsafe test starts; each closes idempotently and never outlives the test
 * JVM (a shutdown hook kills what is left).
 */
package io.channelpush.processes;
