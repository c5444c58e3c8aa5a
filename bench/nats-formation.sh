#!/usr/bin/env bash
# How often nats-server forms a 3-server JetStream cluster that can never place an R3 stream (the meta leader
# leaves one server out; "no suitable peers", 10005): N formations, each three `nats-server -js` started at once on
# loopback with fresh stores, then an R3 memory stream created (and deleted) through the NATS protocol for up to 20 s.
# Prints one line per formation and the count; keeps the folder of each failed one under $OUT. With HOGS=2 (the
# default) two busy loops share the machine, which makes the fault show (about 1 to 3 % on a 2-core machine).
#
#   bench/nats-formation.sh [ROUTES] [N]     # ROUTES: mesh (default; each dials the other two), self (each dials
#                                            # all three), nopool (mesh, route pooling off)
#   HOGS=0 bench/nats-formation.sh mesh 100
#
# Needs nats-server (2.10+), curl, python3. Ports: random in 20000-29999, refused if in use.
set -euo pipefail
routing=${1:-mesh}
n=${2:-100}
out=${OUT:-/tmp/nats-formation}
bin=$(command -v nats-server) || { echo "needs nats-server on the PATH" >&2; exit 1; }
mkdir -p "$out"
hogs=()
cleanup() {
  for p in "${hogs[@]}"; do kill "$p" 2>/dev/null || true; done
  pkill -9 -f "nats-server.*$out/run-" 2>/dev/null || true
}
trap cleanup EXIT
for ((h = 0; h < ${HOGS:-2}; h++)); do
  (while :; do :; done) &
  hogs+=($!)
done

# create, then delete, an R3 memory stream through server port $1 within $2 s; prints the outcome
place() {
  python3 - "$1" "$2" <<'EOF'
import json, socket, sys, time
port, limit = int(sys.argv[1]), float(sys.argv[2])
s = socket.create_connection(("127.0.0.1", port), timeout=3)
f = s.makefile("rb")
f.readline()
s.sendall(b'CONNECT {"verbose":false,"headers":true,"no_responders":true}\r\nSUB _INBOX.p 1\r\n')
def req(subject, body):
    b = json.dumps(body).encode() if body is not None else b""
    s.sendall(b"PUB %s _INBOX.p %d\r\n%s\r\n" % (subject.encode(), len(b), b))
    while True:
        line = f.readline()
        if line.startswith(b"PING"):
            s.sendall(b"PONG\r\n")
        elif line.startswith(b"MSG"):
            size = int(line.split()[-1])
            return f.read(size + 2)[:size].decode()
        elif line.startswith(b"HMSG"):
            h, t = int(line.split()[-2]), int(line.split()[-1])
            data = f.read(t + 2)
            return data[h:t].decode() or data[:h].decode().strip()
        elif not line:
            raise EOFError
start, last = time.time(), "no answer"
while time.time() - start < limit:
    try:
        last = req("$JS.API.STREAM.CREATE.PROBE", {"name": "PROBE", "subjects": ["probe.x"], "storage": "memory",
                                                   "num_replicas": 3})
    except socket.timeout:
        last = "timeout"
        continue
    if '"config"' in last and '"error"' not in last:
        req("$JS.API.STREAM.DELETE.PROBE", None)
        print("placed after %.1f s" % (time.time() - start))
        sys.exit(0)
    time.sleep(0.25)
print("NOT placed in %.0f s: %s" % (time.time() - start, last[:160]))
sys.exit(1)
EOF
}

failed=0
formed=0
for ((k = 1; formed < n; k++)); do
  base=$((20000 + (RANDOM % 300) * 30))
  for i in 0 1 2; do
    c[$i]=$((base + i)); r[$i]=$((base + 10 + i)); m[$i]=$((base + 20 + i))
  done
  for p in "${c[@]}" "${r[@]}" "${m[@]}"; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then continue 2; fi
  done
  formed=$((formed + 1))
  d=$out/run-$k
  rm -rf "$d"; mkdir -p "$d"
  pids=()
  for i in 0 1 2; do
    routes=()
    for j in 0 1 2; do
      case $routing in
        mesh | nopool) [[ $j != "$i" ]] && routes+=("nats://127.0.0.1:${r[$j]}") ;;
        self) routes+=("nats://127.0.0.1:${r[$j]}") ;;
        *) echo "unknown routing $routing" >&2; exit 2 ;;
      esac
    done
    conf=()
    if [[ $routing == nopool ]]; then
      echo 'cluster { pool_size: -1 }' >"$d/s$i.conf"
      conf=(-c "$d/s$i.conf")
    fi
    "$bin" "${conf[@]}" -a 127.0.0.1 -p "${c[$i]}" -n "s$i" -m "${m[$i]}" -js -sd "$d/s$i" --cluster_name t \
      --cluster "nats://127.0.0.1:${r[$i]}" --routes "$(IFS=,; echo "${routes[*]}")" >"$d/s$i.log" 2>&1 &
    pids+=($!)
  done
  for ((t = 0; t < 100; t++)); do
    up=0
    for i in 0 1 2; do curl -sf "http://127.0.0.1:${m[$i]}/healthz" >/dev/null && up=$((up + 1)); done
    ((up == 3)) && break
    sleep 0.1
  done
  if result=$(place "${c[0]}" 20); then
    rm -rf "$d"
  else
    failed=$((failed + 1))
    for i in 0 1 2; do curl -s "http://127.0.0.1:${m[$i]}/jsz" >"$d/jsz$i.json" || true; done
  fi
  echo "$routing $k: $result"
  kill -9 "${pids[@]}" 2>/dev/null || true
  wait "${pids[@]}" 2>/dev/null || true
done
echo "$routing: $failed of $formed formations placed no R3 stream within 20 s (failed ones kept in $out)"
