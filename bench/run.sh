#!/usr/bin/env bash
# The benchmark of issue 6 in one command: builds the WAR, starts it on Payara Micro (port 8480)
# beside the raw baseline WAR, runs every scenario against both and writes target/bench/report.md
# and target/bench/report.json; last, issue 11's cluster scenario, with servers of its own (two
# nodes and a redis-server against one node alone). Takes about fifteen minutes on a 2-core
# machine. Every connection it makes is to 127.0.0.1, from source addresses 127.0.0.2-17.
#
#   bench/run.sh                          the full run
#   bench/run.sh -Dbench.jfr=/tmp/s.jfr   the same, recording the server with Java Flight Recorder
#   bench/run.sh -Dbench.port=8490        on another port
#   bench/run.sh -Dbench.only=fan-out     one scenario (fan-out, relay, call, churn, scuttlebutt, idle, cluster), not a full run
#                                         (churn: call set-ups on fresh relay sessions closed from both ends at once;
#                                         any handshake not answered with 101 or call not completed fails the run;
#                                         cluster: a redis-server, two clustered nodes and one node alone of its own,
#                                         on free ports from 20000 up, fan-out and call set-up on both sides)
#   bench/run.sh -Dbench.only=cluster -Dbench.smoke=true
#                                         the same at the smoke test's size: checks it runs, measures nothing
set -euo pipefail
cd "$(dirname "$0")/.."

# 10,000 idle connections need 10,000 descriptors on each side, and "as many as the machine allows"
# tries 30,000: raise the open-files limit (the hard one too when run as root), for this shell and
# so for Maven, the load generator and the server it starts.
wanted=65536
if [ "$(ulimit -Hn)" != unlimited ] && [ "$(ulimit -Hn)" -lt "$wanted" ]; then
    ulimit -Hn "$wanted" 2>/dev/null || true
fi
if [ "$(ulimit -Hn)" = unlimited ] || [ "$(ulimit -Hn)" -ge "$wanted" ]; then
    ulimit -Sn "$wanted"
else
    ulimit -Sn "$(ulimit -Hn)"
fi
echo "== open files limit: $(ulimit -Sn); load average: $(cut -d' ' -f1-3 /proc/loadavg)"

exec mvn -B -ntp -Pbench -Dbench.command="bench/run.sh" verify "$@"
