package co.signalchannel.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Scenarios 2 and 3: idle connections and connection churn. For each server, with
 * permessage-deflate not offered and offered: connect {@code idleConnections} sessions (spread over
 * 100 echo namespaces) as fast as {@link LoadGenerator#CONNECT_CONCURRENCY} handshakes in flight
 * allow, measure the server's live heap (after a full collection) and RSS per connection, then
 * drop every connection at once and reconnect them all (a reconnect storm). Finally, as many
 * connections as the file-descriptor limits allow, up to {@code maxIdle}.
 */
final class IdleConnections {

    private static final Pattern OPEN_FILES = Pattern.compile("(?m)^Max open files\\s+(\\d+)");

    /** One server's figures under one deflate setting. */
    private static final class Side {
        final List<Double> heapPerConnection = new ArrayList<>();
        final List<Double> rssPerConnection = new ArrayList<>();
        final List<Double> connectsPerSecond = new ArrayList<>();
        final List<Double> stormSeconds = new ArrayList<>();
        final List<Double> stormRecoveredSeconds = new ArrayList<>();
        boolean deflateNegotiated;
    }

    private IdleConnections() {
    }

    static void run(Bench bench) throws Exception {
        BenchConfig config = bench.config;
        int count = config.idleConnections();
        List<String> notes = new ArrayList<>();
        List<Report.Row> memory = new ArrayList<>();
        List<Report.Row> churn = new ArrayList<>();
        for (boolean deflate : new boolean[]{false, true}) {
            String setting = deflate ? "permessage-deflate offered" : "no permessage-deflate";
            Side ours = new Side();
            Side baseline = new Side();
            bench.scenario(String.format(Locale.ROOT, "idle connections, %,d, %s", count, setting), () -> {
                // deflate changes little (see the note); one run of it leaves time for the rest
                for (int run = 0; run < (deflate ? 1 : config.idleRuns()); run++) {
                    for (Target target : bench.targets()) {
                        measure(bench, target, count, deflate, target.isBaseline() ? baseline : ours);
                    }
                }
            });
            memory.add(new Report.Row("heap per idle connection, " + setting, "bytes",
                    new Figure(ours.heapPerConnection), new Figure(baseline.heapPerConnection)));
            memory.add(new Report.Row("RSS per idle connection, " + setting, "bytes",
                    new Figure(ours.rssPerConnection), new Figure(baseline.rssPerConnection)));
            churn.add(new Report.Row("connects/s, " + setting, "", new Figure(ours.connectsPerSecond),
                    new Figure(baseline.connectsPerSecond)));
            if (!deflate) {
                churn.add(new Report.Row(String.format(Locale.ROOT, "reconnect storm: all %,d reconnected", count), "s",
                        new Figure(ours.stormSeconds), new Figure(baseline.stormSeconds)));
                churn.add(new Report.Row("reconnect storm: server back to exactly " + String.format(Locale.ROOT, "%,d", count)
                        + " sessions", "s", new Figure(ours.stormRecoveredSeconds), Figure.none()));
            } else {
                notes.add("permessage-deflate offered by the client: accepted by signal-channel: "
                        + (ours.deflateNegotiated ? "yes" : "no") + "; by the baseline: "
                        + (baseline.deflateNegotiated ? "yes" : "no") + " (the container decides; Tyrus enables it "
                        + "only for endpoints configured with the extension).");
            }
        }
        if (config.maxIdle() > 0 && bench.server != null) {
            Side ours = new Side();
            Side baseline = new Side();
            int limit = Math.min(config.maxIdle(), Math.min(openFileLimit(Path.of("/proc/self/limits")),
                    openFileLimit(Path.of("/proc", String.valueOf(bench.server.pid()), "limits"))) - 2_000);
            int[] reached = new int[2];
            bench.scenario(String.format(Locale.ROOT, "idle connections, up to %,d", limit), () -> {
                for (Target target : bench.targets()) {
                    reached[target.isBaseline() ? 1 : 0] = measureMost(bench, target, limit,
                            target.isBaseline() ? baseline : ours);
                }
            });
            memory.add(new Report.Row(String.format(Locale.ROOT, "heap per idle connection at %,d / %,d", reached[0],
                    reached[1]), "bytes", new Figure(ours.heapPerConnection), new Figure(baseline.heapPerConnection)));
            memory.add(new Report.Row(String.format(Locale.ROOT, "RSS per idle connection at %,d / %,d", reached[0],
                    reached[1]), "bytes", new Figure(ours.rssPerConnection), new Figure(baseline.rssPerConnection)));
            notes.add(String.format(Locale.ROOT, "As many as the machine allows: tried %,d (the lower of %,d and the "
                    + "file-descriptor limits, less 2,000 for the server's own files); signal-channel held %,d, the "
                    + "baseline %,d.", limit, config.maxIdle(), reached[0], reached[1]));
        }
        String setup = String.format(Locale.ROOT, "%,d idle WebSocket sessions over 100 echo namespaces, from 16 "
                + "127.0.0.x source addresses. Heap: live bytes after a full collection (jcmd GC.class_histogram), "
                + "difference from before connecting, per connection. RSS: the server process's resident set, same "
                + "difference. Connects/s: full WebSocket handshakes, %d in flight at once. Reconnect storm: every "
                + "connection dropped at once (TCP reset), then all reconnected at once.", count,
                LoadGenerator.CONNECT_CONCURRENCY);
        if (bench.server == null) {
            notes.add("Memory was not measured: the server runs in another process this run does not own.");
        }
        bench.report.sections.add(new Report.Section("Idle connections", setup, memory, notes));
        bench.report.sections.add(new Report.Section("Connects and reconnect storm", setup, churn, List.of()));
    }

    private static void measure(Bench bench, Target target, int count, boolean deflate, Side side) throws Exception {
        long heapBefore = bench.server == null ? 0 : bench.server.liveHeapBytes();
        long rssBefore = bench.server == null ? 0 : bench.server.rssBytes();
        long start = System.nanoTime();
        List<BenchSocket> sockets = bench.generator.connectAll(count, i -> target.echo("idle-" + (i % 100)), deflate,
                i -> idle());
        side.connectsPerSecond.add(count / ((System.nanoTime() - start) / 1e9));
        side.deflateNegotiated = sockets.get(0).deflateAccepted();
        try {
            bench.settle(target, count);
            if (bench.server != null) {
                side.heapPerConnection.add((bench.server.liveHeapBytes() - heapBefore) / (double) count);
                side.rssPerConnection.add((bench.server.rssBytes() - rssBefore) / (double) count);
            }
            if (!deflate) {
                sockets.forEach(BenchSocket::drop);
                long stormStart = System.nanoTime();
                sockets = bench.generator.connectAll(count, i -> target.echo("idle-" + (i % 100)), false, i -> idle());
                side.stormSeconds.add((System.nanoTime() - stormStart) / 1e9);
                if (!target.isBaseline()) {
                    if (target.awaitSessions(count, Duration.ofSeconds(60))) {
                        side.stormRecoveredSeconds.add((System.nanoTime() - stormStart) / 1e9);
                    } else {
                        bench.report.problems.add("after the reconnect storm signal-channel held " + target.sessions()
                                + " sessions, not " + count);
                    }
                }
            }
        } finally {
            sockets.forEach(BenchSocket::close);
            bench.awaitEmpty();
        }
    }

    /** Connects until {@code limit} or the first failure; @return how many were open at once. */
    private static int measureMost(Bench bench, Target target, int limit, Side side) throws Exception {
        long heapBefore = bench.server.liveHeapBytes();
        long rssBefore = bench.server.rssBytes();
        List<BenchSocket> sockets = new ArrayList<>();
        int step = 5_000;
        try {
            while (sockets.size() < limit) {
                int batch = Math.min(step, limit - sockets.size());
                int offset = sockets.size();
                try {
                    sockets.addAll(bench.generator.connectAll(batch, i -> target.echo("idle-" + ((offset + i) % 100)),
                            false, i -> idle()));
                } catch (IOException refused) {
                    bench.log("%s stopped taking connections after %,d: %s", target.name(), sockets.size(), refused.getMessage());
                    break;
                }
            }
            bench.settle(target, sockets.size());
            side.heapPerConnection.add((bench.server.liveHeapBytes() - heapBefore) / (double) sockets.size());
            side.rssPerConnection.add((bench.server.rssBytes() - rssBefore) / (double) sockets.size());
            return sockets.size();
        } finally {
            sockets.forEach(BenchSocket::close);
            bench.awaitEmpty();
        }
    }

    private static BenchSocket.Inbound idle() {
        return (socket, text, data, offset, length) -> {
            throw new IllegalStateException("an idle connection received a message");
        };
    }

    private static int openFileLimit(Path limits) throws IOException {
        Matcher matcher = OPEN_FILES.matcher(Files.readString(limits));
        return matcher.find() ? Integer.parseInt(matcher.group(1)) : 1024;
    }
}
