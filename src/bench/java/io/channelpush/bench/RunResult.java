package io.channelpush.bench;

/**
 * The figures of one fan-out run. Latencies in microseconds, CPU in seconds (-1 when unknown).
 *
 * @param subscribers S
 * @param published publishes sent, warm-up included
 * @param delivered events received over all subscribers, warm-up included
 * @param lost {@code published * subscribers - delivered}; must be 0
 * @param eventsPerSecond events received by all subscribers per second over the measured window
 * @param measuredSeconds the measured window: from the end of warm-up to the last event received
 * @param latencySamples events whose latency was recorded (all events published after warm-up)
 * @param benchCpuSeconds CPU used by this JVM over the measured window (the daemon too, when in-process)
 * @param daemonCpuSeconds CPU used by the daemon over the measured window, see {@link DaemonTarget#cpuScope()}
 * @param publisherCpuSeconds the publishing thread plus the ChannelClient's reader and writer threads
 * @param subscriberCpuSeconds the subscribers' selector thread
 * @param publishRetries publishes refused by a full client buffer and retried
 * @param timedOut the run hit its time limit before every publish was sent and received
 * @param failure what went wrong (a subscriber disconnected, an error frame), or null
 */
record RunResult(int subscribers, long published, long delivered, long lost, double eventsPerSecond,
                 double measuredSeconds, long latencySamples, double p50Us, double p99Us, double maxUs,
                 double benchCpuSeconds, double daemonCpuSeconds, double publisherCpuSeconds,
                 double subscriberCpuSeconds, long publishRetries, boolean timedOut, String failure) {
}
