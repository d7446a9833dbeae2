package co.signalchannel.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Scenario 5, relay: {@code pairs} relay pairs, both sides sending {@code relayBytes}-byte
 * messages to each other at saturation; against the same pairs as two-session echo namespaces
 * (on signal-channel and on the baseline), where each message also comes back to its sender.
 * Figures count what reaches the partner.
 */
final class RelayThroughput {

    private static final byte[] OPEN = "{\"open\":true}".getBytes(StandardCharsets.US_ASCII);

    private RelayThroughput() {
    }

    private record Side(String name, Target target, List<BenchSocket> sockets, DeliveryLedger ledger, Schedule schedule,
                        int deliveriesPerMessage) {
    }

    static void run(Bench bench) throws Exception {
        BenchConfig config = bench.config;
        List<Side> sides = new ArrayList<>();
        List<List<Double>> messages = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        bench.scenario("relay and two-session echo", () -> {
            try {
                sides.add(openRelay(bench, bench.signalChannel, config.relayPairs(), config.relayBytes()));
                sides.add(openEchoPairs(bench, bench.signalChannel, config.relayPairs(), config.relayBytes(),
                        2 * config.relayPairs()));
                sides.add(openEchoPairs(bench, bench.baseline, config.relayPairs(), config.relayBytes(), 0));
                long window = 16_384;
                for (int run = 0; run < config.saturationRuns(); run++) {
                    for (int s = 0; s < sides.size(); s++) {
                        Side side = sides.get(s);
                        Schedule.Run result = side.schedule.saturate(config.warmUp(), config.measure(), window);
                        double toPartner = result.deliveriesPerSecond() / side.deliveriesPerMessage();
                        messages.get(s).add(toPartner);
                        bench.log("%s run %d: %,.0f messages/s to the partner", side.name(), run + 1, toPartner);
                    }
                }
                for (Side side : sides) {
                    bench.tally(side.name(), side.target(), side.ledger());
                }
            } finally {
                for (Side side : sides) {
                    side.sockets().forEach(BenchSocket::close);
                }
                bench.awaitEmpty();
            }
        });
        double megabytes = config.relayBytes() / 1e6;
        List<Report.Row> rows = List.of(
                new Report.Row("relay: messages/s to the partner (vs baseline two-session echo)", "",
                        new Figure(messages.get(0)), new Figure(messages.get(2))),
                new Report.Row("relay: MB/s to the partner (vs baseline two-session echo)", "MB/s",
                        scaled(messages.get(0), megabytes), scaled(messages.get(2), megabytes)),
                new Report.Row("two-session echo: messages/s to the partner", "",
                        new Figure(messages.get(1)), new Figure(messages.get(2))),
                new Report.Row("two-session echo: MB/s to the partner", "MB/s",
                        scaled(messages.get(1), megabytes), scaled(messages.get(2), megabytes)));
        double relayOverEcho = new Figure(messages.get(0)).median() / new Figure(messages.get(1)).median();
        bench.report.sections.add(new Report.Section("Relay", String.format(Locale.ROOT,
                "%d pairs, both sides sending %,d-byte text messages as fast as they are delivered (at most 16,384 "
                        + "outstanding). Relay pairs are paired by mirror headers in one relay namespace; echo pairs "
                        + "are two-session echo namespaces, where each message also returns to its sender (that copy "
                        + "is not counted).", config.relayPairs(), config.relayBytes()), rows,
                List.of(String.format(Locale.ROOT, "On signal-channel, relay carries %.2f× the messages of a "
                        + "two-session echo namespace.", relayOverEcho))));
    }

    private static Figure scaled(List<Double> values, double factor) {
        return new Figure(values.stream().map(value -> value * factor).toList());
    }

    /** Each side publishes; publisher {@code 2p} and {@code 2p+1} are the two ends of pair {@code p}. */
    private static Side openRelay(Bench bench, Target target, int pairs, int bytes) throws Exception {
        long[] deliveries = new long[2 * pairs];
        Arrays.fill(deliveries, 1);
        DeliveryLedger ledger = new DeliveryLedger(deliveries, bench.generator.threads());
        CountDownLatch opened = new CountDownLatch(2 * pairs);
        List<BenchSocket> sockets = bench.generator.connectAll(2 * pairs, i -> target.relay("relay-bench"), false,
                i -> {
                    BenchSocket.Inbound data = EchoFanOut.receiver(ledger, 1);
                    boolean[] open = new boolean[1];
                    return (socket, text, payload, offset, length) -> {
                        if (!open[0]) {
                            if (length == OPEN.length && Ascii.startsWith(payload, offset, offset + length, OPEN)) {
                                open[0] = true;
                                opened.countDown();
                                return;
                            }
                        }
                        data.message(socket, text, payload, offset, length);
                    };
                });
        for (int i = 0; i < sockets.size(); i++) {
            int pair = i / 2;
            String self = (i % 2 == 0 ? "a" : "b") + pair;
            String partner = (i % 2 == 0 ? "b" : "a") + pair;
            sockets.get(i).sendText("{\"local\":\"" + self + "\",\"remote\":\"" + partner + "\"}");
        }
        if (!opened.await(60, TimeUnit.SECONDS)) {
            throw new IOException(opened.getCount() + " relay sessions were never paired");
        }
        return new Side("relay, " + pairs + " pairs", target, sockets, ledger, publisher(sockets, ledger, bytes, 0), 1);
    }

    /** @param alreadyOpen sessions the target holds already (the relay pairs) */
    private static Side openEchoPairs(Bench bench, Target target, int pairs, int bytes, int alreadyOpen) throws Exception {
        long[] deliveries = new long[2 * pairs];
        Arrays.fill(deliveries, 2);
        DeliveryLedger ledger = new DeliveryLedger(deliveries, bench.generator.threads());
        List<BenchSocket> sockets = bench.generator.connectAll(2 * pairs, i -> target.echo("pair-" + (i / 2)), false,
                i -> EchoFanOut.receiver(ledger, 2));
        bench.settle(target, alreadyOpen + 2 * pairs);
        return new Side("two-session echo, " + pairs + " pairs, " + target.name(), target, sockets, ledger,
                publisher(sockets, ledger, bytes, 1), 2);
    }

    /**
     * Publisher {@code i} sends on socket {@code i}. In a relay pair the receiver hears one
     * publisher (index 0); in an echo pair it hears both, by their index in the pair.
     */
    private static Schedule publisher(List<BenchSocket> sockets, DeliveryLedger ledger, int bytes, int perPairIndex) {
        return new Schedule(ledger, bytes, (publisher, seq, nanos) -> sockets.get(publisher).sendText(
                Ascii.padded((perPairIndex == 0 ? 0 : publisher % 2) + "," + seq + "," + nanos + ",", bytes)));
    }
}
