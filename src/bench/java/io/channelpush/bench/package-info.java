/**
 * The benchmarks, one command each behind {@link io.channelpush.bench.BenchMain}: {@code daemon} (channel daemon
 * fan-out), {@code push} (the WebSocket load harness, against any server with the seed's URLs) and {@code bare}
 * (the machine's own loopback fan-out, without a server). They compile with the tests, which check their parts on
 * real sockets, and never run in {@code mvn verify}; {@code bench/push-cluster.sh} runs a local cluster under the
 * harness.
 */
package io.channelpush.bench;
