package co.signalchannel.bench;

import co.signalchannel.testing.RedisServer;
import co.signalchannel.testing.ServerNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The servers of the cluster scenario, each a process of its own on this machine: a
 * {@code redis-server} on a free loopback port, two signal-channel nodes sharing it
 * ({@code cluster.redis}), and one node alone (no Redis) that carries the same workload, for the
 * comparison. The three nodes are started alike, in parallel, by the multi-node test harness
 * ({@link ServerNode}: Payara Micro with the packaged WAR at the context root, its log in
 * {@code target/cluster-nodes/}), with the same JVM options, settings and Payara Micro options as
 * the benchmark's own server; the two clustered ones also get {@code cluster.redis} and a node id.
 * Only the owner of the processes can read their CPU time, so this class does.
 */
final class ClusterNodes implements AutoCloseable {

    /** How the benchmark starts a node: JVM options, signal-channel settings (without the prefix), Payara Micro options. */
    record Launch(List<String> jvmOptions, Map<String, String> settings, List<String> microOptions) {
        Launch {
            jvmOptions = List.copyOf(jvmOptions);
            settings = Map.copyOf(settings);
            microOptions = List.copyOf(microOptions);
        }
    }

    /** The name of each side in the report. */
    static final String ALONE = "one node";
    static final String CLUSTER = "two nodes + Redis";

    private final RedisServer redis;
    private final ServerNode alone;
    private final List<ServerNode> nodes;

    private ClusterNodes(RedisServer redis, ServerNode alone, List<ServerNode> nodes) {
        this.redis = redis;
        this.alone = alone;
        this.nodes = List.copyOf(nodes);
    }

    /** Starts Redis, then the three nodes at once; returns when all answer. */
    static ClusterNodes start(Launch launch) throws IOException, InterruptedException {
        if (!RedisServer.isInstalled()) {
            throw new IOException("redis-server is not on the PATH: the cluster scenario needs Debian's redis-server "
                    + "(apt-get install redis-server)");
        }
        RedisServer redis = RedisServer.startOnFreePort();
        try {
            List<ServerNode.Spec> specs = new ArrayList<>();
            specs.add(new ServerNode.Spec("bench-alone", launch.settings(), launch.jvmOptions(), launch.microOptions()));
            for (int n = 1; n <= 2; n++) {
                Map<String, String> clustered = new LinkedHashMap<>(launch.settings());
                clustered.put("cluster.redis", redis.uri().toString());
                clustered.put("cluster.node-id", "bench-" + n);
                specs.add(new ServerNode.Spec("bench-node-" + n, clustered, launch.jvmOptions(), launch.microOptions()));
            }
            List<ServerNode> started = ServerNode.startAll(specs);
            return new ClusterNodes(redis, started.get(0), started.subList(1, started.size()));
        } catch (IOException | RuntimeException | InterruptedException | Error e) {
            redis.close();
            throw e;
        }
    }

    /** The node alone. */
    Target alone() {
        return new Target(ALONE, Target.Kind.SIGNAL_CHANNEL, alone.http(""));
    }

    /** The clustered nodes, "node 1" first. */
    List<Target> nodes() {
        List<Target> targets = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            targets.add(new Target("node " + (i + 1), Target.Kind.SIGNAL_CHANNEL, nodes.get(i).http("")));
        }
        return targets;
    }

    /** CPU time the node alone has used, in nanoseconds. */
    long aloneCpuNanos() throws IOException {
        return ServerProcess.cpuNanos(alone.pid());
    }

    /** CPU time the clustered nodes have used together, in nanoseconds. */
    long nodesCpuNanos() throws IOException {
        long sum = 0;
        for (ServerNode node : nodes) {
            sum += ServerProcess.cpuNanos(node.pid());
        }
        return sum;
    }

    /** CPU time redis-server has used (its utime + stime in /proc), in nanoseconds. */
    long redisCpuNanos() throws IOException {
        return ServerProcess.cpuNanos(redis.pid());
    }

    /** For the report's machine table. */
    String describe() {
        StringBuilder ports = new StringBuilder();
        for (ServerNode node : nodes) {
            ports.append(ports.length() == 0 ? "" : ", ").append(node.port());
        }
        return String.format(Locale.ROOT, "%s on 127.0.0.1:%d (no persistence); clustered nodes on ports %s; the node "
                + "alone on port %d; all three with the JVM options, settings and Payara setting above; logs in "
                + "target/cluster-nodes/", redisVersion(), redis.port(), ports, alone.port());
    }

    private static String redisVersion() {
        try {
            Process version = new ProcessBuilder("redis-server", "--version").redirectErrorStream(true).start();
            String text = new String(version.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            version.waitFor(10, TimeUnit.SECONDS);
            int v = text.indexOf(" v=");
            return v < 0 ? "redis-server" : "redis-server " + text.substring(v + 3).split(" ")[0];
        } catch (IOException e) {
            return "redis-server";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "redis-server";
        }
    }

    /** Kills the nodes and Redis: nothing of theirs is needed after the scenario. */
    @Override
    public void close() throws InterruptedException {
        for (ServerNode node : nodes) {
            node.close();
        }
        alone.close();
        redis.close();
    }
}
