package co.signalchannel.bench;

import java.time.Duration;
import java.util.List;

/**
 * How big and how long each scenario is. {@link #full()} is the published run (under ten minutes
 * on a 2-core machine, build and server start included); {@link #smoke()} is the same harness in
 * seconds, run by the test suite so it cannot rot.
 *
 * @param fanOut            echo fan-out shapes
 * @param payloadBytes      size of a fan-out message
 * @param warmUp            run time before measuring starts
 * @param measure           measured run time
 * @param saturationRuns    runs at saturation, per server
 * @param latencyRuns       open-loop runs at each load level, per server
 * @param idleConnections   idle connections per idle run
 * @param idleRuns          idle runs per server without deflate (one with it)
 * @param maxIdle           connections to try for "as many as the machine allows" (0: skip)
 * @param syncKeys          live keys a scuttlebutt late joiner must catch up with
 * @param syncJoins         late joiners per key count and server
 * @param scuttlebuttPeers  sessions of the scuttlebutt update fan-out namespace
 * @param relayPairs        pairs in the relay and two-session echo scenarios
 * @param relayBytes        size of a relay message
 * @param callPairs         pairs in the call set-up scenario
 * @param churnCalls        calls in flight at once in the call set-up on fresh relay sessions (churn),
 *                          and at saturation in the cluster scenario's
 * @param clusterFanOut     the cluster scenario's echo fan-out: one namespace
 */
record BenchConfig(List<EchoFanOut.Shape> fanOut, int payloadBytes, Duration warmUp, Duration measure,
                   int saturationRuns, int latencyRuns, int idleConnections, int idleRuns, int maxIdle,
                   List<Integer> syncKeys, int syncJoins, int scuttlebuttPeers, int relayPairs, int relayBytes,
                   int callPairs, int churnCalls, EchoFanOut.Shape clusterFanOut) {

    static BenchConfig full() {
        return new BenchConfig(List.of(
                new EchoFanOut.Shape("N = 100", 1, 100, 4),
                new EchoFanOut.Shape("N = 1,000", 1, 1_000, 4),
                new EchoFanOut.Shape("N = 5,000", 1, 5_000, 4),
                new EchoFanOut.Shape("1,000 namespaces of 5", 1_000, 5, 1)),
                128, Duration.ofMillis(500), Duration.ofMillis(2_500), 5, 2,
                10_000, 1, 30_000,
                List.of(500, 10_000), 5, 1_000, 50, 1_024, 100, 100,
                new EchoFanOut.Shape("N = 1,000", 1, 1_000, 4));
    }

    static BenchConfig smoke() {
        return new BenchConfig(List.of(
                new EchoFanOut.Shape("N = 10", 1, 10, 2),
                new EchoFanOut.Shape("5 namespaces of 3", 5, 3, 1)),
                128, Duration.ofMillis(100), Duration.ofMillis(300), 1, 1,
                40, 1, 0,
                List.of(50), 2, 8, 3, 256, 3, 4,
                new EchoFanOut.Shape("N = 10", 1, 10, 2));
    }
}
