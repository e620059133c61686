#!/usr/bin/env bash
# A Redis Cluster on loopback for the tests: one redis-server per port, joined with
# `redis-cli --cluster create`, then waited for until every node says the cluster is ok.
#
#   scripts/redis_cluster.sh start DIR REPLICAS PORT...   # REPLICAS per master
#   scripts/redis_cluster.sh stop DIR
#
# Nodes fail over after one second without an answer (cluster-node-timeout 1000), a replica
# takes over however long its master has been gone (validity factor 0), and the slots of a live
# master keep serving while another master is down (full coverage not required), as the
# failover test needs. With replicas, the script returns once each has synchronised.
set -euo pipefail

command=${1:?start or stop}
dir=${2:?a directory for the node files}

case "$command" in
stop)
    for pidfile in "$dir"/*.pid; do
        [ -e "$pidfile" ] || continue
        kill -9 "$(cat "$pidfile")" 2>/dev/null || true
    done
    exit 0
    ;;
start) ;;
*)
    echo "usage: $0 start DIR REPLICAS PORT... | stop DIR" >&2
    exit 2
    ;;
esac

replicas=${3:?replicas per master}
shift 3
[ $# -ge 3 ] || { echo "a cluster needs at least three masters' ports" >&2; exit 2; }
mkdir -p "$dir"
for port in "$@"; do
    redis-server --port "$port" --bind 127.0.0.1 --protected-mode no \
        --cluster-enabled yes --cluster-config-file "$dir/nodes-$port.conf" \
        --cluster-node-timeout 1000 --cluster-require-full-coverage no \
        --cluster-replica-validity-factor 0 \
        --save "" --appendonly no --dir "$dir" \
        --daemonize yes --pidfile "$dir/$port.pid" --logfile "$dir/$port.log"
done
for port in "$@"; do
    for _ in $(seq 100); do
        redis-cli -p "$port" ping >/dev/null 2>&1 && break
        sleep 0.05
    done
done
nodes=()
for port in "$@"; do nodes+=("127.0.0.1:$port"); done
redis-cli --cluster create "${nodes[@]}" --cluster-replicas "$replicas" --cluster-yes \
    >"$dir/create.log" 2>&1 || { cat "$dir/create.log" >&2; exit 1; }
for port in "$@"; do
    for attempt in $(seq 200); do
        redis-cli -p "$port" cluster info 2>/dev/null | grep -q '^cluster_state:ok' && break
        if [ "$attempt" = 200 ]; then
            echo "node $port never saw the cluster ok" >&2
            exit 1
        fi
        sleep 0.05
    done
done
if [ "$replicas" -gt 0 ]; then
    for port in "$@"; do
        for attempt in $(seq 200); do
            info=$(redis-cli -p "$port" info replication 2>/dev/null)
            if grep -q '^role:master' <<<"$info" || grep -q '^master_link_status:up' <<<"$info"; then
                break
            fi
            if [ "$attempt" = 200 ]; then
                echo "replica $port never synchronised with its master" >&2
                exit 1
            fi
            sleep 0.05
        done
    done
fi
