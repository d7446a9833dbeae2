package co.signalchannel.bench;

import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Scenario 1, echo fan-out: {@code rooms} namespaces of {@code members} sessions, the first
 * {@code publishers} of each publishing. Measures deliveries per second at saturation, then
 * publish→delivery latency on a fixed schedule at 50% and 80% of that saturation; every delivery
 * is accounted for. Both servers hold their sessions at once and take turns run by run, so a
 * change in the machine's load affects both alike.
 *
 * <p>A message is {@code publisher,seq,scheduledNanos,} padded to the payload size.
 */
final class EchoFanOut {

    /** One fan-out shape: a single large namespace, or many small ones. */
    record Shape(String name, int rooms, int members, int publishers) {
        int sessions() {
            return rooms * members;
        }
    }

    private static final double[] LEVELS = {0.5, 0.8};
    /**
     * The last latency level: both servers at one rate, the highest level (80%) of the slower one's
     * saturation, so that a faster server is not judged at a heavier load than the other.
     */
    private static final int SAME_RATE = LEVELS.length;

    /** One server's sessions for a shape, and what they measured. */
    private static final class Side {
        final Target target;
        final List<BenchSocket> sockets;
        final DeliveryLedger ledger;
        final Schedule schedule;
        final List<Double> deliveriesPerSecond = new ArrayList<>();
        final List<Double> messagesPerSecond = new ArrayList<>();
        final List<List<Double>> p50 = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        final List<List<Double>> p99 = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        final List<List<Double>> p999 = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        final List<Double> worstLagMillis = new ArrayList<>();

        Side(Target target, List<BenchSocket> sockets, DeliveryLedger ledger, Schedule schedule) {
            this.target = target;
            this.sockets = sockets;
            this.ledger = ledger;
            this.schedule = schedule;
        }
    }

    private EchoFanOut() {
    }

    /** How the report names the same-rate level (see {@link #SAME_RATE}). */
    static final String SAME_RATE_LABEL = " at the same rate (80% of the slower server's saturation)";

    static void run(Bench bench) throws Exception {
        for (Shape shape : bench.config.fanOut()) {
            bench.scenario("echo fan-out, " + shape.name(), () -> runShape(bench, shape));
        }
    }

    private static void runShape(Bench bench, Shape shape) throws Exception {
        BenchConfig config = bench.config;
        List<Side> sides = new ArrayList<>();
        try {
            for (Target target : bench.targets()) {
                sides.add(open(bench, target, shape));
            }
            long window = Math.max(8L * shape.members(), 16_384);
            for (Side side : sides) {
                // not measured: lets both servers' JIT settle on this shape's paths first
                side.schedule.saturate(config.warmUp(), config.warmUp(), window);
            }
            for (int run = 0; run < config.saturationRuns(); run++) {
                for (Side side : sides) {
                    Schedule.Run result = side.schedule.saturate(config.warmUp(), config.measure(), window);
                    side.deliveriesPerSecond.add(result.deliveriesPerSecond());
                    side.messagesPerSecond.add(result.messagesPerSecond());
                    bench.log("%s %s saturation run %d: %,.0f deliveries/s", shape.name(), side.target.name(), run + 1,
                            result.deliveriesPerSecond());
                }
            }
            double slowest = sides.stream().mapToDouble(side -> new Figure(side.messagesPerSecond).median()).min().orElseThrow();
            for (int level = 0; level <= SAME_RATE; level++) {
                int runs = level == LEVELS.length - 1 ? config.latencyRuns() : 1;
                for (int run = 0; run < runs; run++) {
                    for (Side side : sides) {
                        double rate = level == SAME_RATE ? LEVELS[LEVELS.length - 1] * slowest
                                : LEVELS[level] * new Figure(side.messagesPerSecond).median();
                        side.worstLagMillis.add(side.schedule.openLoop(rate, config.warmUp(), config.measure()));
                        Histogram latency = side.ledger.latency();
                        side.p50.get(level).add(latency.getValueAtPercentile(50) / 1000.0);
                        side.p99.get(level).add(latency.getValueAtPercentile(99) / 1000.0);
                        side.p999.get(level).add(latency.getValueAtPercentile(99.9) / 1000.0);
                        bench.log("%s %s at %s: %,.0f msgs/s, p99 %.2f ms (%d samples)", shape.name(),
                                side.target.name(), level == SAME_RATE ? "the same rate" : Math.round(LEVELS[level] * 100) + "%",
                                rate, latency.getValueAtPercentile(99) / 1000.0, latency.getTotalCount());
                    }
                }
            }
            report(bench, shape, sides.get(0), sides.get(1));
        } finally {
            for (Side side : sides) {
                side.sockets.forEach(BenchSocket::close);
            }
            bench.awaitEmpty();
        }
    }

    private static Side open(Bench bench, Target target, Shape shape) throws IOException, InterruptedException {
        long[] deliveries = new long[shape.rooms() * shape.publishers()];
        java.util.Arrays.fill(deliveries, shape.members());
        DeliveryLedger ledger = new DeliveryLedger(deliveries, bench.generator.threads());
        String prefix = "fanout-" + shape.rooms() + "x" + shape.members() + "-";
        List<BenchSocket> sockets = bench.generator.connectAll(shape.sessions(),
                i -> target.echo(prefix + (i / shape.members())), false,
                i -> receiver(ledger, shape.publishers()));
        bench.settle(target, shape.sessions());
        BenchSocket[] publishers = new BenchSocket[deliveries.length];
        for (int room = 0; room < shape.rooms(); room++) {
            for (int k = 0; k < shape.publishers(); k++) {
                publishers[room * shape.publishers() + k] = sockets.get(room * shape.members() + k);
            }
        }
        int payload = bench.config.payloadBytes();
        Schedule schedule = new Schedule(ledger, payload, (publisher, seq, nanos) -> publishers[publisher].sendText(
                Ascii.padded((publisher % shape.publishers()) + "," + seq + "," + nanos + ",", payload)));
        return new Side(target, sockets, ledger, schedule);
    }

    /** Parses {@code publisher,seq,nanos,} and books the delivery. */
    static BenchSocket.Inbound receiver(DeliveryLedger ledger, int publishers) {
        DeliveryLedger.Expectation expectation = new DeliveryLedger.Expectation(publishers);
        return (socket, text, data, offset, length) -> {
            int end = offset + length;
            int i = offset;
            int publisher = (int) Ascii.parseLong(data, i, end);
            i = Ascii.endOfNumber(data, i, end) + 1;
            int seq = (int) Ascii.parseLong(data, i, end);
            i = Ascii.endOfNumber(data, i, end) + 1;
            long nanos = Ascii.parseLong(data, i, end);
            ledger.delivered(expectation, publisher, seq, nanos, socket.loopIndex());
        };
    }

    private static void report(Bench bench, Shape shape, Side ours, Side baseline) {
        List<Report.Row> rows = new ArrayList<>();
        rows.add(new Report.Row("deliveries/s at saturation", "", new Figure(ours.deliveriesPerSecond),
                new Figure(baseline.deliveriesPerSecond)));
        for (int level = 0; level <= SAME_RATE; level++) {
            String at = level == SAME_RATE ? SAME_RATE_LABEL
                    : String.format(Locale.ROOT, " at %.0f%% of saturation", LEVELS[level] * 100);
            rows.add(new Report.Row("p50" + at, "ms", new Figure(ours.p50.get(level)), new Figure(baseline.p50.get(level))));
            rows.add(new Report.Row("p99" + at, "ms", new Figure(ours.p99.get(level)), new Figure(baseline.p99.get(level))));
            rows.add(new Report.Row("p99.9" + at, "ms", new Figure(ours.p999.get(level)), new Figure(baseline.p999.get(level))));
        }
        String setup = String.format(Locale.ROOT, "%,d namespace%s of %,d sessions; %d publisher%s per namespace, "
                        + "%d-byte text messages, every session (the sender included) receives every message. "
                        + "Saturation: as fast as deliveries complete, at most %,d deliveries outstanding. "
                        + "Latency: open loop at 50%% and 80%% of each server's own saturation rate, and both at "
                        + "80%% of the slower server's saturation rate (the same rate), from the scheduled send time.", shape.rooms(), shape.rooms() == 1 ? "" : "s", shape.members(),
                shape.publishers(), shape.publishers() == 1 ? "" : "s", bench.config.payloadBytes(),
                Math.max(8L * shape.members(), 16_384));
        List<String> notes = List.of(String.format(Locale.ROOT,
                "The generator's publishing thread fell behind its schedule by at most %.2f ms (signal-channel) "
                        + "and %.2f ms (baseline).", new Figure(ours.worstLagMillis).max(),
                new Figure(baseline.worstLagMillis).max()));
        bench.report.sections.add(new Report.Section("Echo fan-out, " + shape.name(), setup, rows, notes));
        for (Side side : List.of(ours, baseline)) {
            bench.tally("echo fan-out, " + shape.name(), side.target, side.ledger);
        }
    }
}
