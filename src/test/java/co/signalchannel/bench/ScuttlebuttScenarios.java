package co.signalchannel.bench;

import co.signalchannel.bench.baseline.BaselineSyncEndpoint;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Scenario 4, scuttlebutt. Late joiner: a namespace holds {@code keys} live keys; a new session
 * connects, sends an empty digest and waits for {@code "SYNC"}; the time from starting the TCP
 * connection to the {@code "SYNC"} line, and every key received exactly once. The baseline is the
 * transport floor: the same bytes, prebuilt. Update fan-out: {@code peers} sessions replicate one
 * namespace, four of them write, every accepted update reaches every other session; the baseline
 * broadcasts the same lines through a plain echo room.
 */
final class ScuttlebuttScenarios {

    private static final byte[] SYNC_LINE = "\"SYNC\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] W = "\"w\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] S = "\"s\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] T = "\"t\":".getBytes(StandardCharsets.US_ASCII);
    private static final int WRITERS = 4;
    private static final int LINES_PER_SEED_MESSAGE = 500;

    private ScuttlebuttScenarios() {
    }

    static void run(Bench bench) throws Exception {
        List<Report.Row> rows = new ArrayList<>();
        for (int keys : bench.config.syncKeys()) {
            bench.scenario(String.format(Locale.ROOT, "scuttlebutt late joiner, %,d keys", keys), () -> {
                rows.add(lateJoiner(bench, keys));
            });
        }
        bench.scenario("scuttlebutt update fan-out", () -> {
            rows.add(fanOut(bench));
        });
        bench.report.sections.add(new Report.Section("Scuttlebutt", String.format(Locale.ROOT,
                "Late joiner: time from opening the TCP connection to receiving \"SYNC\" after an empty digest, "
                        + "%d joiners per key count; the baseline sends the same history bytes prebuilt (the "
                        + "transport floor). Update fan-out: %,d sessions on one namespace, %d writing, each accepted "
                        + "update delivered to every other session, at saturation; the baseline broadcasts the same "
                        + "lines through a plain echo room (to every session, the writer included).",
                bench.config.syncJoins(), bench.config.scuttlebuttPeers(), WRITERS), rows, List.of()));
    }

    private static Report.Row lateJoiner(Bench bench, int keys) throws Exception {
        Target ours = bench.signalChannel;
        String namespace = "sync-" + keys;
        // The writer stays open until the joiners are done: closing drops the connection, and with it
        // whatever the server had not read yet.
        BenchSocket writer = seed(bench, ours, namespace, keys);
        // The writer's updates may still be in the server's hands: wait until a joiner sees them all.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (join(bench, ours, namespace, keys, false) < 0 && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        List<Double> oursMillis = new ArrayList<>();
        List<Double> baselineMillis = new ArrayList<>();
        for (int run = 0; run < bench.config.syncJoins(); run++) {
            // a joiner that missed keys is booked as lost, and its time is no time to SYNC
            double oursJoin = join(bench, ours, namespace, keys, true);
            double baselineJoin = join(bench, bench.baseline, null, keys, true);
            if (oursJoin >= 0) {
                oursMillis.add(oursJoin);
            }
            if (baselineJoin >= 0) {
                baselineMillis.add(baselineJoin);
            }
        }
        writer.close();
        bench.awaitEmpty();
        return new Report.Row(String.format(Locale.ROOT, "late joiner to \"SYNC\", %,d keys", keys), "ms",
                new Figure(oursMillis), new Figure(baselineMillis));
    }

    /** Writes {@code keys} keys; @return the writer, still open */
    private static BenchSocket seed(Bench bench, Target target, String namespace, int keys) throws Exception {
        BenchSocket writer = bench.generator.connect(target.scuttlebutt(namespace), false,
                (socket, text, data, offset, length) -> { }).get(30, TimeUnit.SECONDS);
        writer.sendText("{\"id\":\"seed\",\"clock\":{}}\n\"SYNC\"\n");
        long base = System.currentTimeMillis() - keys;
        StringBuilder message = new StringBuilder();
        for (int key = 0; key < keys; key++) {
            message.append(BaselineSyncEndpoint.updateLine(key, base + key));
            if ((key + 1) % LINES_PER_SEED_MESSAGE == 0 || key == keys - 1) {
                writer.sendText(message.toString());
                message.setLength(0);
            }
        }
        return writer;
    }

    /**
     * One late joiner; @return milliseconds to "SYNC", or -1 when it did not receive exactly
     * {@code keys} updates (booked as lost or duplicated when {@code book}).
     */
    private static double join(Bench bench, Target target, String namespace, int keys, boolean book) throws Exception {
        AtomicInteger updates = new AtomicInteger();
        CompletableFuture<Long> synced = new CompletableFuture<>();
        long start = System.nanoTime();
        BenchSocket socket = bench.generator.connect(target.isBaseline() ? target.sync(keys) : target.scuttlebutt(namespace),
                false, (s, text, data, offset, length) -> {
                    int end = offset + length;
                    int line = offset;
                    while (line < end) {
                        int next = line;
                        while (next < end && data[next] != '\n') {
                            next++;
                        }
                        if (next > line && data[line] == '[') {
                            updates.incrementAndGet();
                        } else if (next - line == SYNC_LINE.length && Ascii.startsWith(data, line, next, SYNC_LINE)) {
                            synced.complete(System.nanoTime());
                        }
                        line = next + 1;
                    }
                }).get(30, TimeUnit.SECONDS);
        try {
            socket.sendText("{\"id\":\"joiner\",\"clock\":{}}\n");
            long end = synced.get(60, TimeUnit.SECONDS);
            int got = updates.get();
            if (book) {
                bench.report.tallies.add(new Report.Tally(String.format(Locale.ROOT, "scuttlebutt late joiner, %,d keys",
                        keys), target.name(), keys, Math.max(0, keys - got), Math.max(0, got - keys), 0));
            }
            return got == keys ? (end - start) / 1e6 : -1;
        } finally {
            socket.close();
        }
    }

    private static Report.Row fanOut(Bench bench) throws Exception {
        int peers = bench.config.scuttlebuttPeers();
        List<Double> ours = new ArrayList<>();
        List<Double> baseline = new ArrayList<>();
        List<Side> sides = new ArrayList<>();
        try {
            for (Target target : bench.targets()) {
                sides.add(openFanOut(bench, target, peers));
            }
            long window = Math.max(8L * peers, 16_384);
            for (int run = 0; run < bench.config.saturationRuns(); run++) {
                for (Side side : sides) {
                    Schedule.Run result = side.schedule.saturate(bench.config.warmUp(), bench.config.measure(), window);
                    (side.target.isBaseline() ? baseline : ours).add(result.deliveriesPerSecond());
                    bench.log("scuttlebutt fan-out %s run %d: %,.0f deliveries/s", side.target.name(), run + 1,
                            result.deliveriesPerSecond());
                }
            }
            for (Side side : sides) {
                bench.tally("scuttlebutt update fan-out", side.target, side.ledger);
            }
        } finally {
            for (Side side : sides) {
                side.sockets.forEach(BenchSocket::close);
            }
            bench.awaitEmpty();
        }
        return new Report.Row(String.format(Locale.ROOT, "update fan-out, %,d sessions: deliveries/s", peers), "",
                new Figure(ours), new Figure(baseline));
    }

    private record Side(Target target, List<BenchSocket> sockets, DeliveryLedger ledger, Schedule schedule) {
    }

    private static Side openFanOut(Bench bench, Target target, int peers) throws Exception {
        long[] deliveries = new long[WRITERS];
        // signal-channel does not send a session's own updates back to it; an echo room does
        java.util.Arrays.fill(deliveries, target.isBaseline() ? peers : peers - 1);
        DeliveryLedger ledger = new DeliveryLedger(deliveries, bench.generator.threads());
        CountDownLatch synced = new CountDownLatch(peers);
        List<BenchSocket> sockets = bench.generator.connectAll(peers,
                i -> target.isBaseline() ? target.echo("sb-fanout") : target.scuttlebutt("sb-fanout"), false,
                i -> updateReceiver(ledger, synced));
        if (target.isBaseline()) {
            bench.settle(target, peers);
        } else {
            for (BenchSocket socket : sockets) {
                socket.sendText("{\"id\":\"peer-" + System.identityHashCode(socket) + "\",\"clock\":{}}\n\"SYNC\"\n");
            }
            if (!synced.await(60, TimeUnit.SECONDS)) {
                throw new IOException(synced.getCount() + " scuttlebutt sessions never received \"SYNC\"");
            }
        }
        long base = System.currentTimeMillis() - TimeUnit.MINUTES.toMillis(10);
        Schedule schedule = new Schedule(ledger, 64, (writer, seq, nanos) -> sockets.get(writer).sendText(
                "[[\"w" + writer + "-" + (seq % 100) + "\",{\"w\":" + writer + ",\"s\":" + seq + ",\"t\":" + nanos
                        + "}]," + (base + seq) + ",\"w" + writer + "\"]\n"));
        return new Side(target, sockets, ledger, schedule);
    }

    /** Books every update line {@code [["key",{"w":..,"s":..,"t":..}],ts,source]}; notes "SYNC". */
    private static BenchSocket.Inbound updateReceiver(DeliveryLedger ledger, CountDownLatch synced) {
        DeliveryLedger.Expectation expectation = new DeliveryLedger.Expectation(WRITERS);
        return (socket, text, data, offset, length) -> {
            int end = offset + length;
            int line = offset;
            while (line < end) {
                int next = line;
                while (next < end && data[next] != '\n') {
                    next++;
                }
                if (next - line > 2 && data[line] == '[' && data[line + 1] == '[') {
                    int writer = (int) Ascii.parseLong(data, skipSpaces(data, Ascii.after(data, line, next, W), next), next);
                    int seq = (int) Ascii.parseLong(data, skipSpaces(data, Ascii.after(data, line, next, S), next), next);
                    long nanos = Ascii.parseLong(data, skipSpaces(data, Ascii.after(data, line, next, T), next), next);
                    ledger.delivered(expectation, writer, seq, nanos, socket.loopIndex());
                } else if (next - line == SYNC_LINE.length && Ascii.startsWith(data, line, next, SYNC_LINE)) {
                    synced.countDown();
                }
                line = next + 1;
            }
        };
    }

    private static int skipSpaces(byte[] data, int from, int to) {
        if (from < 0) {
            throw new IllegalArgumentException("field missing in an update line");
        }
        int i = from;
        while (i < to && data[i] == ' ') {
            i++;
        }
        return i;
    }
}
