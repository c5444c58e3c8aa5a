#!/usr/bin/env bash
# The publish API of one launcher on a fresh nats-server (JetStream, one server, file store): wrk -t2 -c64 for 15 s
# of warm-up, then 10 s measured; prints requests/s, non-2xx answers, and the node's and nats-server's CPU per
# request (from /proc/<pid>/stat over the measured 10 s). Everything on loopback; stops by itself.
# Build first: mvn -B -q package -DskipTests. Needs wrk (Debian package wrk).
#
#   bench/nats-publish-api.sh [NATS_SERVER...]   # each given nats-server binary in turn (default: the one on PATH)
#   RUNS=3 bench/nats-publish-api.sh /usr/sbin/nats-server target/tools/nats-server   # alternating, 3 rounds
#
# Node JVM options: NODE_JVM_OPTS (default -Xms256m -Xmx1g -XX:+UseSerialGC -Xmn16m). Ports: nats-server 24222,
# the node 45236/45237; a run refuses to start on ports something already listens on.
set -euo pipefail
cd "$(dirname "$0")/.."
jar=target/channel-push-launcher.jar
[[ -f $jar ]] || { echo "build first: mvn -B -q package -DskipTests" >&2; exit 1; }
command -v wrk >/dev/null || { echo "needs wrk (apt-get install wrk)" >&2; exit 1; }
for port in 24222 45236 45237; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "port $port is in use" >&2
    exit 1
  fi
done
servers=("$@")
((${#servers[@]})) || servers=("$(command -v nats-server)")
read -r -a jvm <<<"${NODE_JVM_OPTS:--Xms256m -Xmx1g -XX:+UseSerialGC -Xmn16m}"
hz=$(getconf CLK_TCK)
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
pids=()
store=
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  pids=()
  [[ -n $store ]] && rm -rf "$store"
  store=
}
trap cleanup EXIT

one_run() {
  local server=$1 out reqs rps non2xx n0 s0 n1 s1
  store=$(mktemp -d)
  "$server" -a 127.0.0.1 -p 24222 -js -sd "$store" >"target/bench-nats-api-server.log" 2>&1 &
  local nats=$!
  pids+=("$nats")
  for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/24222) 2>/dev/null && break; sleep 0.1; done
  java "${jvm[@]}" -jar "$jar" --nats nats://127.0.0.1:24222 --ws-port 45236 --http-port 45237 --no-demo \
    >"target/bench-nats-api-node.log" 2>&1 &
  local node=$!
  pids+=("$node")
  for _ in $(seq 300); do
    [[ $(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:45237/health/ready) == 200 ]] && break
    sleep 0.1
  done
  wrk -t2 -c64 -d15s 'http://127.0.0.1:45237/?content=x' >/dev/null
  n0=$(ticks "$node"); s0=$(ticks "$nats")
  out=$(wrk -t2 -c64 -d10s 'http://127.0.0.1:45237/?content=x')
  n1=$(ticks "$node"); s1=$(ticks "$nats")
  reqs=$(awk '/requests in/ {print $1}' <<<"$out")
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  non2xx=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
  printf '%-28s %10s req/s  non-2xx %-6s node %6.1f us/req  nats-server %6.1f us/req  load %s\n' \
    "$("$server" --version | awk '{print $2}') ($server)" "$rps" "${non2xx:-0}" \
    "$(bc -l <<<"($n1 - $n0) * 1000000 / $hz / $reqs")" "$(bc -l <<<"($s1 - $s0) * 1000000 / $hz / $reqs")" \
    "$(cut -d' ' -f1 /proc/loadavg)"
  cleanup
}

for _ in $(seq "${RUNS:-1}"); do
  for s in "${servers[@]}"; do
    one_run "$s"
  done
done
