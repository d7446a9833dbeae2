package co.signalchannel.bench;

import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ScheduledThreadPoolExecutor;

/**
 * Scenario 8, the cluster (issue 11): two signal-channel nodes and a redis-server on this machine
 * against one node alone with the same workload, in the same run, taking turns run by run
 * ({@link ClusterNodes}). The senders are on node 1 and the receivers spread over both nodes:
 * <ul>
 *   <li>echo fan-out: one namespace, its publishers on node 1, every other session on node 1 and
 *       node 2 in turn; every session (the sender included) receives every message;</li>
 *   <li>call set-up on fresh relay sessions ({@link CallChurn}): every caller connects to node 1,
 *       the callees to node 1 and node 2 in turn, so every other call pairs across the nodes.</li>
 * </ul>
 * Each is measured as the other scenarios are: saturation (as fast as the servers go, a bounded
 * amount outstanding), then latency on a fixed schedule (open loop) at 50% of each side's own
 * saturation (as many runs as at saturation: the target is judged there) and at one rate for both
 * (50% of the slower side's). The CPU time of the nodes and of redis-server (utime + stime from
 * /proc) is read before and after every run. Every delivery is accounted for: each message sent
 * times its receivers must arrive, once, in order.
 *
 * <p>Issue 11's target: the cluster's p99 at 50% of saturation within 2× that of the node alone,
 * and nothing lost.
 */
final class ClusterScenarios {

    static final String FAN_OUT = "cluster: echo fan-out";
    static final String CALLS = "cluster: call set-up on fresh relay sessions";
    private static final double LEVEL = 0.5;
    private static final double TARGET_RATIO = 2.0;
    private static final List<String> COLUMNS = List.of(ClusterNodes.CLUSTER, ClusterNodes.ALONE);

    private ClusterScenarios() {
    }

    /** CPU time of what one side runs on, in nanoseconds. */
    @FunctionalInterface
    private interface CpuClock {
        long nanos() throws IOException;
    }

    /**
     * CPU used over a side's measured runs, run by run: the side's nodes, and redis-server. While
     * the node alone is measured, Redis serves only the idle clustered nodes' pings (every 250 ms)
     * and membership reports: what it uses then is its background, not that side's work.
     */
    private static final class CpuUse {
        final CpuClock servers;
        final CpuClock redis;
        final boolean redisServes;
        final List<Double> serverCores = new ArrayList<>();
        final List<Double> redisCores = new ArrayList<>();
        final List<Long> wallNanos = new ArrayList<>();
        final List<Long> redisRunNanos = new ArrayList<>();
        final List<Long> units = new ArrayList<>();
        double seconds;
        double generatorNanos;
        double serverNanos;
        double redisNanos;

        CpuUse(CpuClock servers, CpuClock redis, boolean redisServes) {
            this.servers = servers;
            this.redis = redis;
            this.redisServes = redisServes;
        }

        /** A reading before a run. */
        long[] read() throws IOException {
            return new long[]{System.nanoTime(), LoadGenerator.processCpuNanos(), servers.nanos(), redis.nanos()};
        }

        /** Books the run since {@code before}, in which {@code sent} messages (or calls) were sent. */
        void book(long[] before, long sent) throws IOException {
            long[] after = read();
            long wall = after[0] - before[0];
            seconds += wall / 1e9;
            generatorNanos += after[1] - before[1];
            serverNanos += after[2] - before[2];
            serverCores.add((after[2] - before[2]) / (double) wall);
            redisNanos += after[3] - before[3];
            redisCores.add((after[3] - before[3]) / (double) wall);
            wallNanos.add(wall);
            redisRunNanos.add(after[3] - before[3]);
            units.add(sent);
        }

        /**
         * Redis' CPU per message (or call) of each run, in microseconds, less its background
         * ({@code backgroundCores}, measured while it served nothing else).
         */
        Figure redisMicrosPerUnit(double backgroundCores) {
            List<Double> runs = new ArrayList<>();
            for (int i = 0; i < units.size(); i++) {
                double work = redisRunNanos.get(i) - backgroundCores * wallNanos.get(i);
                runs.add(Math.max(0, work) / 1e3 / Math.max(1, units.get(i)));
            }
            return new Figure(runs);
        }

        Report.Cpu total(String scenario) {
            return new Report.Cpu(scenario + String.format(Locale.ROOT, " (Redis%s: %s cores)",
                    redisServes ? "" : ", background", Figure.format(redisNanos / 1e9 / seconds)),
                    seconds, generatorNanos / 1e9 / seconds, serverNanos / 1e9 / seconds);
        }
    }

    static void run(Bench bench) throws Exception {
        if (bench.clusterLaunch == null) {
            bench.report.observations.add("the cluster scenario was not run: it starts servers of its own "
                    + "(redis-server and three nodes), which only a run that starts its own server does "
                    + "(bench/run.sh, not the smoke test)");
            return;
        }
        bench.log("== cluster: starting redis-server, two clustered nodes and one node alone");
        long booting = System.nanoTime();
        try (ClusterNodes servers = ClusterNodes.start(bench.clusterLaunch)) {
            bench.log("cluster: all three nodes answered after %.0f s", (System.nanoTime() - booting) / 1e9);
            bench.report.machine.put("Cluster scenario", servers.describe());
            fanOut(bench, servers);
            calls(bench, servers);
        }
    }

    // ---- echo fan-out ----

    /** One side's sessions of the fan-out, and what they measured. */
    private static final class FanOutSide {
        final String name;
        final List<Target> nodes;
        final CpuUse saturationCpu;
        final CpuUse latencyCpu;
        List<BenchSocket> sockets = List.of();
        DeliveryLedger ledger;
        Schedule schedule;
        int members;
        final List<Double> deliveriesPerSecond = new ArrayList<>();
        final List<Double> messagesPerSecond = new ArrayList<>();
        /** Index 0: at 50% of this side's own saturation; 1: at the same rate for both. */
        final List<List<Double>> p50 = List.of(new ArrayList<>(), new ArrayList<>());
        final List<List<Double>> p99 = List.of(new ArrayList<>(), new ArrayList<>());
        final List<List<Double>> p999 = List.of(new ArrayList<>(), new ArrayList<>());
        final List<Double> worstLagMillis = new ArrayList<>();

        FanOutSide(String name, List<Target> nodes, CpuClock servers, CpuClock redis, boolean redisServes) {
            this.name = name;
            this.nodes = nodes;
            this.saturationCpu = new CpuUse(servers, redis, redisServes);
            this.latencyCpu = new CpuUse(servers, redis, redisServes);
        }

        /** The node session {@code i} connects to: the publishers to the first, the others to each in turn. */
        Target nodeOf(int i, int publishers) {
            return i < publishers ? nodes.get(0) : nodes.get((i - publishers) % nodes.size());
        }

        long messagesSent() {
            return ledger.expected() / members;
        }
    }

    private static void fanOut(Bench bench, ClusterNodes servers) throws Exception {
        BenchConfig config = bench.config;
        EchoFanOut.Shape shape = config.clusterFanOut();
        if (shape.rooms() != 1) {
            throw new IllegalArgumentException("the cluster fan-out has one namespace, not " + shape.rooms());
        }
        String scenario = FAN_OUT + ", " + shape.name();
        bench.log("== %s", scenario);
        List<FanOutSide> sides = List.of(
                new FanOutSide(ClusterNodes.CLUSTER, servers.nodes(), servers::nodesCpuNanos, servers::redisCpuNanos, true),
                new FanOutSide(ClusterNodes.ALONE, List.of(servers.alone()), servers::aloneCpuNanos, servers::redisCpuNanos,
                        false));
        long window = Math.max(8L * shape.members(), 16_384);
        try {
            for (FanOutSide side : sides) {
                open(bench, side, shape);
            }
            for (FanOutSide side : sides) {
                side.schedule.saturate(config.warmUp(), config.warmUp(), window); // not measured: JIT warm-up
            }
            for (int run = 0; run < config.saturationRuns(); run++) {
                for (FanOutSide side : sides) {
                    long sent = side.messagesSent();
                    long[] before = side.saturationCpu.read();
                    Schedule.Run result = side.schedule.saturate(config.warmUp(), config.measure(), window);
                    side.saturationCpu.book(before, side.messagesSent() - sent);
                    side.deliveriesPerSecond.add(result.deliveriesPerSecond());
                    side.messagesPerSecond.add(result.messagesPerSecond());
                    bench.log("%s %s saturation run %d: %,.0f deliveries/s", scenario, side.name, run + 1,
                            result.deliveriesPerSecond());
                }
            }
            double slower = sides.stream().mapToDouble(side -> new Figure(side.messagesPerSecond).median()).min().orElseThrow();
            for (int level = 0; level < 2; level++) {
                for (int run = 0; run < runsAt(config, level); run++) {
                    for (FanOutSide side : sides) {
                        double rate = LEVEL * (level == 0 ? new Figure(side.messagesPerSecond).median() : slower);
                        long sent = side.messagesSent();
                        long[] before = side.latencyCpu.read();
                        side.worstLagMillis.add(side.schedule.openLoop(rate, config.warmUp(), config.measure()));
                        if (level == 0) {
                            side.latencyCpu.book(before, side.messagesSent() - sent);
                        }
                        Histogram latency = side.ledger.latency();
                        side.p50.get(level).add(latency.getValueAtPercentile(50) / 1000.0);
                        side.p99.get(level).add(latency.getValueAtPercentile(99) / 1000.0);
                        side.p999.get(level).add(latency.getValueAtPercentile(99.9) / 1000.0);
                        bench.log("%s %s at %s: %,.0f msgs/s, p50 %.2f ms, p99 %.2f ms (%d samples)", scenario, side.name,
                                level == 0 ? "50%" : "the same rate", rate, latency.getValueAtPercentile(50) / 1000.0,
                                latency.getValueAtPercentile(99) / 1000.0, latency.getTotalCount());
                    }
                }
            }
        } finally {
            for (FanOutSide side : sides) {
                side.sockets.forEach(BenchSocket::close);
            }
            for (FanOutSide side : sides) {
                awaitEmpty(bench, scenario, side.nodes);
            }
        }
        for (FanOutSide side : sides) {
            bench.report.tallies.add(new Report.Tally(scenario, side.name, side.ledger.expected(), side.ledger.lost(),
                    side.ledger.duplicated(), side.ledger.outOfOrder()));
            bench.report.cpu.add(side.saturationCpu.total(scenario + ", " + side.name + ", saturation runs"));
            bench.report.cpu.add(side.latencyCpu.total(scenario + ", " + side.name + ", at 50% of saturation"));
        }
        reportFanOut(bench, shape, scenario, sides.get(0), sides.get(1));
    }

    private static void open(Bench bench, FanOutSide side, EchoFanOut.Shape shape) throws IOException, InterruptedException {
        int members = shape.members();
        int publishers = shape.publishers();
        long[] deliveries = new long[publishers];
        java.util.Arrays.fill(deliveries, members);
        side.members = members;
        side.ledger = new DeliveryLedger(deliveries, bench.generator.threads());
        String namespace = "cluster-fanout-" + members;
        DeliveryLedger ledger = side.ledger;
        side.sockets = bench.generator.connectAll(members, i -> side.nodeOf(i, publishers).echo(namespace), false,
                i -> EchoFanOut.receiver(ledger, publishers));
        for (Target node : side.nodes) {
            int count = 0;
            for (int i = 0; i < members; i++) {
                count += side.nodeOf(i, publishers) == node ? 1 : 0;
            }
            if (!node.awaitSessions(count, Duration.ofSeconds(60))) {
                throw new IOException(side.name + ": " + node.name() + " holds " + node.sessions() + " sessions, expected "
                        + count + "; connections ended after their handshake: " + ended(side.sockets));
            }
        }
        BenchSocket[] senders = side.sockets.subList(0, publishers).toArray(BenchSocket[]::new);
        int payload = bench.config.payloadBytes();
        side.schedule = new Schedule(ledger, payload, (publisher, seq, nanos) -> senders[publisher].sendText(
                Ascii.padded(publisher + "," + seq + "," + nanos + ",", payload)));
    }

    /** The connections that are no longer open, counted by close code and reason. */
    private static String ended(List<BenchSocket> sockets) {
        java.util.Map<String, Integer> counts = new java.util.TreeMap<>();
        for (BenchSocket socket : sockets) {
            if (!socket.isOpen()) {
                counts.merge(socket.closeCode() + " " + socket.endReason(), 1, Integer::sum);
            }
        }
        return counts.isEmpty() ? "none" : counts.toString();
    }

    private static void reportFanOut(Bench bench, EchoFanOut.Shape shape, String scenario, FanOutSide cluster,
                                     FanOutSide alone) {
        List<Report.Row> rows = new ArrayList<>();
        rows.add(new Report.Row("deliveries/s at saturation", "", new Figure(cluster.deliveriesPerSecond),
                new Figure(alone.deliveriesPerSecond)));
        String[] at = {" at 50% of saturation", " at the same rate (50% of the slower side's saturation)"};
        for (int level = 0; level < 2; level++) {
            rows.add(new Report.Row("p50" + at[level], "ms", new Figure(cluster.p50.get(level)), new Figure(alone.p50.get(level))));
            rows.add(new Report.Row("p99" + at[level], "ms", new Figure(cluster.p99.get(level)), new Figure(alone.p99.get(level))));
            rows.add(new Report.Row("p99.9" + at[level], "ms", new Figure(cluster.p999.get(level)), new Figure(alone.p999.get(level))));
        }
        cpuRows(rows, "message published", cluster, alone);
        List<String> notes = new ArrayList<>();
        for (FanOutSide side : List.of(cluster, alone)) {
            notes.add(String.format(Locale.ROOT, "%s: %,d messages sent × %,d receivers = %,d deliveries expected; %,d "
                            + "received, %,d lost, %,d duplicated, %,d out of order.", side.name, side.messagesSent(),
                    side.members, side.ledger.expected(), side.ledger.received(), side.ledger.lost(),
                    side.ledger.duplicated(), side.ledger.outOfOrder()));
        }
        notes.add(String.format(Locale.ROOT, "The generator's publishing thread fell behind its schedule by at most "
                + "%.2f ms (%s) and %.2f ms (%s).", new Figure(cluster.worstLagMillis).max(), cluster.name,
                new Figure(alone.worstLagMillis).max(), alone.name));
        bench.report.sections.add(new Report.Section("Cluster: echo fan-out, " + shape.name(), String.format(Locale.ROOT,
                "One namespace of %,d sessions, %d publishers, %d-byte text messages; every session (the sender "
                        + "included) receives every message. Two nodes + Redis: the publishers on node 1, the other "
                        + "sessions on node 1 and node 2 in turn (%,d and %,d); every message goes through Redis "
                        + "(published once, delivered to each node once). One node: the same sessions on a node with no "
                        + "Redis. Saturation: as fast as deliveries complete, at most %,d outstanding. Latency: open loop "
                        + "at 50%% of each side's own saturation, and both at 50%% of the slower side's, from the "
                        + "scheduled send time. The sides take turns run by run. Ratio: two nodes + Redis over one node.",
                shape.members(), shape.publishers(), bench.config.payloadBytes(),
                shape.publishers() + (shape.members() - shape.publishers() + 1) / 2,
                (shape.members() - shape.publishers()) / 2, Math.max(8L * shape.members(), 16_384)),
                rows, notes, COLUMNS));
        check(bench, "fan-out", rows.get(2));
    }

    // ---- call set-up on fresh relay sessions ----

    private static void calls(Bench bench, ClusterNodes servers) throws Exception {
        BenchConfig config = bench.config;
        int inFlight = config.churnCalls();
        bench.log("== %s", CALLS);
        List<Target> nodes = servers.nodes();
        Target alone = servers.alone();
        ScheduledThreadPoolExecutor timer = CallChurn.timer();
        List<CallChurn> sides = List.of(
                new CallChurn(bench, CALLS, ClusterNodes.CLUSTER, nodes.get(0), nodes, timer),
                new CallChurn(bench, CALLS, ClusterNodes.ALONE, alone, List.of(alone), timer));
        List<CpuUse> saturationCpu = List.of(new CpuUse(servers::nodesCpuNanos, servers::redisCpuNanos, true),
                new CpuUse(servers::aloneCpuNanos, servers::redisCpuNanos, false));
        List<CpuUse> latencyCpu = List.of(new CpuUse(servers::nodesCpuNanos, servers::redisCpuNanos, true),
                new CpuUse(servers::aloneCpuNanos, servers::redisCpuNanos, false));
        // the cluster's calls by where the callee connected: [level][node] -> runs
        List<List<List<Double>>> p50ByCallee = List.of(List.of(new ArrayList<>(), new ArrayList<>()),
                List.of(new ArrayList<>(), new ArrayList<>()));
        List<List<List<Double>>> p99ByCallee = List.of(List.of(new ArrayList<>(), new ArrayList<>()),
                List.of(new ArrayList<>(), new ArrayList<>()));
        List<List<List<Double>>> p50 = List.of(List.of(new ArrayList<>(), new ArrayList<>()), List.of(new ArrayList<>(), new ArrayList<>()));
        List<List<List<Double>>> p99 = List.of(List.of(new ArrayList<>(), new ArrayList<>()), List.of(new ArrayList<>(), new ArrayList<>()));
        try {
            for (int run = 0; run < config.saturationRuns(); run++) {
                for (int s = 0; s < sides.size(); s++) {
                    CallChurn side = sides.get(s);
                    long calls = side.callsStarted();
                    long[] before = saturationCpu.get(s).read();
                    side.run(config, inFlight);
                    saturationCpu.get(s).book(before, side.callsStarted() - calls);
                    bench.log("%s %s saturation run %d: %,.0f calls/s", CALLS, side.side(), run + 1,
                            side.callsPerSecond.get(side.callsPerSecond.size() - 1));
                }
            }
            double slower = sides.stream().mapToDouble(side -> new Figure(side.callsPerSecond).median()).min().orElseThrow();
            for (int level = 0; level < 2; level++) {
                for (int run = 0; run < runsAt(config, level); run++) {
                    for (int s = 0; s < sides.size(); s++) {
                        CallChurn side = sides.get(s);
                        double rate = LEVEL * (level == 0 ? new Figure(side.callsPerSecond).median() : slower);
                        long calls = side.callsStarted();
                        long[] before = latencyCpu.get(s).read();
                        CallChurn.SetUpTimes times = side.runAt(config, rate);
                        Histogram setUp = times.all();
                        if (level == 0) {
                            latencyCpu.get(s).book(before, side.callsStarted() - calls);
                        }
                        if (s == 0) {
                            for (int node = 0; node < times.byCallee().size(); node++) {
                                Histogram of = times.byCallee().get(node);
                                boolean some = of.getTotalCount() > 0;
                                p50ByCallee.get(level).get(node).add(some ? of.getValueAtPercentile(50) / 1000.0 : Double.NaN);
                                p99ByCallee.get(level).get(node).add(some ? of.getValueAtPercentile(99) / 1000.0 : Double.NaN);
                            }
                        }
                        boolean any = setUp.getTotalCount() > 0;
                        p50.get(s).get(level).add(any ? setUp.getValueAtPercentile(50) / 1000.0 : Double.NaN);
                        p99.get(s).get(level).add(any ? setUp.getValueAtPercentile(99) / 1000.0 : Double.NaN);
                        bench.log("%s %s at %s: %,.0f calls/s, set-up p50 %.1f ms, p99 %.1f ms (%d calls)", CALLS,
                                side.side(), level == 0 ? "50%" : "the same rate", rate,
                                any ? setUp.getValueAtPercentile(50) / 1000.0 : Double.NaN,
                                any ? setUp.getValueAtPercentile(99) / 1000.0 : Double.NaN, setUp.getTotalCount());
                    }
                }
            }
        } finally {
            timer.shutdownNow();
            awaitEmpty(bench, CALLS, nodes);
            awaitEmpty(bench, CALLS, List.of(alone));
        }
        List<Report.Row> rows = new ArrayList<>();
        rows.add(new Report.Row(String.format(Locale.ROOT, "calls/s at saturation, %d in flight", inFlight), "",
                new Figure(sides.get(0).callsPerSecond), new Figure(sides.get(1).callsPerSecond)));
        String[] at = {" at 50% of saturation", " at the same rate (50% of the slower side's saturation)"};
        for (int level = 0; level < 2; level++) {
            rows.add(new Report.Row("set-up time p50" + at[level], "ms", new Figure(p50.get(0).get(level)),
                    new Figure(p50.get(1).get(level))));
            rows.add(new Report.Row("set-up time p99" + at[level], "ms", new Figure(p99.get(0).get(level)),
                    new Figure(p99.get(1).get(level))));
            for (int node = 0; node < nodes.size(); node++) {
                String where = node == 0 ? ", callee on node 1 (both ends on one node, claims in Redis)"
                        : ", callee on node " + (node + 1) + " (paired across the nodes)";
                rows.add(new Report.Row("set-up time p50" + at[level] + where, "ms",
                        new Figure(p50ByCallee.get(level).get(node)), Figure.none()));
                rows.add(new Report.Row("set-up time p99" + at[level] + where, "ms",
                        new Figure(p99ByCallee.get(level).get(node)), Figure.none()));
            }
        }
        cpuRows(rows, "call", saturationCpu.get(0), latencyCpu.get(0), saturationCpu.get(1), latencyCpu.get(1));
        List<String> notes = new ArrayList<>();
        List<String> measured = new ArrayList<>();
        boolean clean = true;
        for (int s = 0; s < sides.size(); s++) {
            CallChurn side = sides.get(s);
            notes.add(side.summary());
            if (!side.stretched.isEmpty()) {
                notes.add(side.stretchedNote(inFlight));
            }
            measured.add(side.side() + ": " + side.failures());
            clean &= side.clean();
            side.report();
            bench.report.cpu.add(saturationCpu.get(s).total(CALLS + ", " + side.side() + ", saturation runs"));
            bench.report.cpu.add(latencyCpu.get(s).total(CALLS + ", " + side.side() + ", at 50% of saturation"));
        }
        bench.scenarioChecks.add(new Report.Check("zero failed handshakes, incomplete calls and unexpected close codes, "
                + CALLS, String.join("; ", measured), clean));
        bench.report.sections.add(new Report.Section("Cluster: call set-up on fresh relay sessions", String.format(Locale.ROOT,
                "As \"%s\" (mirror headers, {\"open\":true}, offer and answer of 4,000 bytes, 4 ICE candidates each "
                        + "way, both ends close), each call on two new connections. Two nodes + Redis: every caller on "
                        + "node 1, the callees on node 1 and node 2 in turn, so every other call pairs across the nodes "
                        + "(its claims and its messages through Redis) and every call's claims are made in Redis. One "
                        + "node: the same calls on a node with no Redis. Saturation: %d calls in flight, each that ends "
                        + "making room for the next (calls/s: calls set up and closed in the measuring window). Set-up "
                        + "time: open loop, calls started on a fixed schedule at 50%% of each side's own saturation and "
                        + "both at 50%% of the slower side's, from the call's scheduled start to the last message heard. "
                        + "The sides take turns run by run. Ratio: two nodes + Redis over one node.",
                CallChurn.TITLE, inFlight), rows, notes, COLUMNS));
        check(bench, "call set-up", rows.get(2));
    }

    // ---- shared ----

    /**
     * Runs at a latency level: at 50% of each side's own saturation, where the target is judged, as
     * many as at saturation (the latency of two cores shared by four servers and the generator
     * varies most); at the same rate, as many as the other scenarios' latency levels.
     */
    private static int runsAt(BenchConfig config, int level) {
        return level == 0 ? config.saturationRuns() : config.latencyRuns();
    }

    private static void cpuRows(List<Report.Row> rows, String unit, FanOutSide cluster, FanOutSide alone) {
        cpuRows(rows, unit, cluster.saturationCpu, cluster.latencyCpu, alone.saturationCpu, alone.latencyCpu);
    }

    private static void cpuRows(List<Report.Row> rows, String unit, CpuUse clusterSaturation, CpuUse clusterLatency,
                                CpuUse aloneSaturation, CpuUse aloneLatency) {
        rows.add(new Report.Row("nodes' CPU at saturation (all nodes together)", "cores",
                new Figure(clusterSaturation.serverCores), new Figure(aloneSaturation.serverCores)));
        rows.add(new Report.Row("nodes' CPU at 50% of saturation", "cores",
                new Figure(clusterLatency.serverCores), new Figure(aloneLatency.serverCores)));
        rows.add(new Report.Row("Redis CPU at saturation", "cores", new Figure(clusterSaturation.redisCores), Figure.none()));
        rows.add(new Report.Row("Redis CPU at 50% of saturation", "cores", new Figure(clusterLatency.redisCores), Figure.none()));
        List<Double> background = new ArrayList<>(aloneSaturation.redisCores);
        background.addAll(aloneLatency.redisCores);
        Figure idle = new Figure(background);
        rows.add(new Report.Row("Redis CPU in the background (while the node alone is measured: the idle clustered "
                + "nodes' pings and reports)", "cores", idle, Figure.none()));
        rows.add(new Report.Row("Redis CPU per " + unit + " at saturation, less the background", "µs",
                clusterSaturation.redisMicrosPerUnit(idle.median()), Figure.none()));
        rows.add(new Report.Row("Redis CPU per " + unit + " at 50% of saturation, less the background", "µs",
                clusterLatency.redisMicrosPerUnit(idle.median()), Figure.none()));
    }

    /** Issue 11's target on one p99 row: the cluster within 2× the node alone. */
    private static void check(Bench bench, String what, Report.Row p99) {
        bench.scenarioChecks.add(new Report.Check("cluster " + what + ": p99 at 50% of saturation ≤ " + TARGET_RATIO
                + "× one node's (two nodes + Redis, senders on node 1, receivers on both)",
                String.format(Locale.ROOT, "%.2f× (%s vs %s ms)", p99.ratio(), Figure.format(p99.signalChannel().median()),
                        Figure.format(p99.baseline().median())), p99.ratio() <= TARGET_RATIO));
    }

    /** Every node must let go of the sessions the scenario closed. */
    private static void awaitEmpty(Bench bench, String scenario, List<Target> nodes) throws IOException, InterruptedException {
        for (Target node : nodes) {
            if (!node.awaitSessions(0, Duration.ofSeconds(60))) {
                bench.report.problems.add(String.format(Locale.ROOT, "after \"%s\": %s still held %d sessions 60 s after "
                        + "every client had closed", scenario, node.name() + " (" + node.base() + ")", node.sessions()));
            }
        }
    }
}
