#!/usr/bin/env bash
# Benchmarks a local Channel Push cluster (one channel daemon, NODES launcher processes) with the push harness.
# Everything runs on loopback and stops by itself. Build first: mvn -B -q package -DskipTests
#
#   bench/push-cluster.sh load [CLIENTS]      # one harness over 2 nodes: broadcast, targeted, groups; then wrk
#   bench/push-cluster.sh idle CLIENTS NODES  # idle memory: NODES nodes, one harness process per node
#   bench/push-cluster.sh presence [CLIENTS]  # 2 nodes, publisher behind a bearer token: every two clients one user
#                                             # (bind_uid), each user's clients in one of 1,000 groups, then the
#                                             # presence queries over HTTP through node-1 (no wrk)
#   BUS=nats bench/push-cluster.sh load ...   # the same on a nats-server instead of the channel daemon
#
# Output goes to the terminal and target/bench-*.json. Extra harness options: HARNESS_ARGS="--broadcasts 200";
# node JVM options: NODE_JVM_OPTS="-XX:+UseSerialGC -Xmn16m" (default: none, the JVM's G1); extra launcher
# arguments: NODE_ARGS="--set channelpush.write-delay-ms=60"; SKIP_WRK=1 leaves out the publish-rate run.
# Ports: node i listens on BASE_PORT + i*1000 (WebSocket) and that + 1 (HTTP), the daemon on BASE_PORT - 2030 and
# nats-server on BASE_PORT - 14 (BASE_PORT=24236 by default: nodes 25236/25237, 26236/26237, daemon 22206); two
# runs at once need two BASE_PORTs, and a run refuses to start on ports something already listens on.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-load}
clients=${2:-10000}
nodes=${3:-2}
[[ $mode == load || $mode == presence ]] && nodes=2
base=${BASE_PORT:-24236}
base_channel=$((base - 2030))
nats_port=$((base - 14))
ws_port() { echo $((base + $1 * 1000)); }
http_port() { echo $((base + 1 + $1 * 1000)); }
for port in "$base_channel" "$nats_port" $(for i in $(seq 1 "$nodes"); do ws_port "$i"; http_port "$i"; done); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "port $port is in use (another benchmark?): set BASE_PORT to another base" >&2
    exit 2
  fi
done
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
# This container's hard limit is 20,000 descriptors per process: more clients need more processes.
ulimit -n "$(ulimit -Hn)"

[[ -f target/channel-push-launcher.jar && -f target/channel-daemon.jar ]] || { echo "run: mvn -B -q package -DskipTests" >&2; exit 2; }
mvn -B -q -Pbench -DskipTests test-compile >/dev/null
cp_file=target/bench-classpath.txt
mvn -B -q -Pbench dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$cp_file" >/dev/null
classpath="target/test-classes:target/classes:$(cat "$cp_file")"

# BUS=nats runs the nodes on a nats-server (Debian package) instead of the channel daemon.
if [[ ${BUS:-daemon} == nats ]]; then
  nats_bin=$(command -v nats-server || echo /usr/sbin/nats-server)
  rm -rf target/bench-nats-js
  "$nats_bin" -a 127.0.0.1 -p "$nats_port" -js -sd target/bench-nats-js > target/bench-nats.log 2>&1 &
  bus_arg=(--nats "nats://127.0.0.1:$nats_port")
else
  rm -rf target/bench-channel-data
  java -Xmx512m -jar target/channel-daemon.jar --port "$base_channel" --data-dir target/bench-channel-data \
    > target/bench-daemon.log 2>&1 &
  bus_arg=(--channel "127.0.0.1:$base_channel")
fi
pids+=($!)
publish_args=()
harness_auth=()
if [[ $mode == presence ]]; then
  # presence queries are authenticated like publishes: measure them with the publisher's bearer check on
  token="bench-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
  publish_args=(--set "channelpush.publish-tokens=$token")
  harness_auth=(--publish-token "$token")
fi
node_pids=()
for i in $(seq 1 "$nodes"); do
  ws=$(ws_port "$i"); http=$(http_port "$i")
  java -Xms256m -Xmx2g ${NODE_JVM_OPTS:-} -jar target/channel-push-launcher.jar "${bus_arg[@]}" \
       --ws-port "$ws" --http-port "$http" --worker-id "node-$i" --no-demo --wait-for-channel \
       --set channelpush.max-connections=100000 --set channelpush.max-commands-per-second=1000 "${publish_args[@]}" ${NODE_ARGS:-} \
       > "target/bench-node-$i.log" 2>&1 &
  pids+=($!); node_pids+=($!)
done
for i in $(seq 1 "$nodes"); do
  http=$(http_port "$i")
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$http/health/ready" >/dev/null && break; sleep 0.2; done
done
echo "# bus ${BUS:-daemon} pid ${pids[0]}, node pids ${node_pids[*]}; $(nproc) cores; $(java -version 2>&1 | head -1)"
echo "# nodes: java -Xms256m -Xmx2g ${NODE_JVM_OPTS:-} -jar target/channel-push-launcher.jar ... ${NODE_ARGS:-}"

harness() { java -Xms1g -Xmx3g -cp "$classpath" io.channelpush.bench.BenchMain push "$@"; }
two_ws="ws://127.0.0.1:$(ws_port 1)/,ws://127.0.0.1:$(ws_port 2)/"
two_http="http://127.0.0.1:$(http_port 1)/,http://127.0.0.1:$(http_port 2)/"

if [[ $mode == presence ]]; then
  harness --ws "$two_ws" --http "$two_http" \
          --clients "$clients" --pids "$(IFS=,; echo "${node_pids[*]}")" --phases idle,presence --groups 1000 \
          "${harness_auth[@]}" --out target/bench-push-presence.json ${HARNESS_ARGS:-}
elif [[ $mode == load ]]; then
  harness --ws "$two_ws" --http "$two_http" \
          --clients "$clients" --pids "$(IFS=,; echo "${node_pids[*]}")" --out target/bench-push-load.json ${HARNESS_ARGS:-}
  if [[ -n ${SKIP_WRK:-} ]]; then
    :
  elif command -v wrk >/dev/null; then
    echo "# publish rate: wrk -t2 -c64 -d10s against node-1 after 15 s of warm-up (keep-alive GET /?content=x; the harness's clients are gone)"
    wrk -t2 -c64 -d15s "http://127.0.0.1:$(http_port 1)/?content=x" > /dev/null
    wrk -t2 -c64 -d10s "http://127.0.0.1:$(http_port 1)/?content=x"
  else
    echo "# wrk not installed (apt-get install -y wrk): publish rate skipped"
  fi
else
  per=$((clients / nodes))
  hpids=()
  for i in $(seq 1 "$nodes"); do
    ws=$(ws_port "$i"); http=$(http_port "$i")
    harness --ws "ws://127.0.0.1:$ws/" --http "http://127.0.0.1:$http/" --clients "$per" --phases idle \
            --sources "127.0.0.$((i + 1))" --pids "${node_pids[$((i - 1))]}" --out "target/bench-push-idle-$i.json" \
            > "target/bench-idle-$i.log" 2>&1 &
    hpids+=($!)
  done
  for p in "${hpids[@]}"; do wait "$p"; done
  cat target/bench-idle-*.log
  python3 - "$nodes" <<'PY'
import json, sys
n = int(sys.argv[1]); total_c = 0; total_b = 0
for i in range(1, n + 1):
    c = json.load(open(f"target/bench-push-idle-{i}.json"))["connect"]
    total_c += c["clients"]; total_b += c["server_rss_bytes_per_connection"] * c["clients"]
print(f"idle memory: {total_c} connections over {n} nodes: {total_b / total_c:,.0f} bytes ({total_b / total_c / 1024:.1f} KB) resident per connection")
PY
fi
