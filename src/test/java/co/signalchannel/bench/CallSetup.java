package co.signalchannel.bench;

import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Scenario 6, call set-up over echo, as two browsers do it: caller A sends an offer (~4 KB), callee
 * B answers (~4 KB) and sends 4 ICE candidates (~200 B each), A sends its 4 candidates on the
 * answer. A set-up is complete when each side has everything from the other and its own echoes.
 * Each pair has its own two-session namespace. Set-ups/s: every pair set up call after call as fast
 * as it can; set-up time: set-ups started on a fixed schedule at 50% and 80% of that rate, timed
 * from the scheduled start (a set-up that finds its pair busy waits, and the wait counts).
 */
final class CallSetup {

    private static final double[] LEVELS = {0.5, 0.8};
    private static final int DELIVERIES_PER_SETUP = 20; // 10 messages, each to both sessions
    static final String SDP = "v=0 o=- 4611731400430051336 2 IN IP4 127.0.0.1 s=- t=0 0 ".repeat(80).substring(0, 4_000);
    static final String CANDIDATE = ("candidate:842163049 1 udp 1677729535 127.0.0.1 54400 typ srflx raddr "
            + "0.0.0.0 rport 0 generation 0 ufrag sSRe network-cost 999");
    private static final byte[] TYPE = "{\"type\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] FROM = "\"from\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ID = "\"id\":".getBytes(StandardCharsets.US_ASCII);

    /** One pair of sessions and the set-up in progress between them. */
    private final class Call {
        final BenchSocket a;
        final BenchSocket b;
        // guarded by this:
        long id = -1;
        long intended;
        boolean busy;
        int aFromB;
        int bFromA;
        int echoes;
        final ArrayDeque<Long> waiting = new ArrayDeque<>();

        Call(BenchSocket a, BenchSocket b) {
            this.a = a;
            this.b = b;
        }

        /** Starts a set-up now, or queues it behind the one in progress. */
        void schedule(long intendedNanos) throws IOException {
            long started;
            synchronized (this) {
                if (busy) {
                    waiting.add(intendedNanos);
                    return;
                }
                started = begin(intendedNanos);
            }
            a.sendText(message("offer", "a", started, intendedNanos, SDP));
        }

        /** @return the new set-up's id; the caller sends the offer after leaving the lock */
        private long begin(long intendedNanos) {
            busy = true;
            id = nextId.incrementAndGet();
            intended = intendedNanos;
            aFromB = 0;
            bFromA = 0;
            echoes = 0;
            started.incrementAndGet();
            return id;
        }

        void received(boolean atA, byte[] data, int offset, int length) throws IOException {
            int end = offset + length;
            byte type = data[Ascii.after(data, offset, end, TYPE)];
            boolean fromA = data[Ascii.after(data, offset, end, FROM)] == 'a';
            long messageId = Ascii.parseLong(data, Ascii.after(data, offset, end, ID), end);
            received.incrementAndGet();
            boolean answer = false;
            boolean candidates = false;
            long next = -1;
            long nextIntended = 0;
            long setup;
            long intendedStart;
            synchronized (this) {
                setup = id;
                intendedStart = intended;
                if (messageId != id || !busy) {
                    stale.incrementAndGet();
                    return;
                }
                if (fromA == atA) {
                    echoes++;
                } else if (atA) {
                    aFromB++;
                    candidates = type == 'a';
                } else {
                    bFromA++;
                    answer = type == 'o';
                }
                if (aFromB == 5 && bFromA == 5 && echoes == 10) {
                    busy = false;
                    completed(intendedStart);
                    if (!waiting.isEmpty()) {
                        nextIntended = waiting.poll();
                        next = begin(nextIntended);
                    } else if (closedLoop && running) {
                        nextIntended = System.nanoTime();
                        next = begin(nextIntended);
                    }
                }
            }
            if (answer) {
                b.sendText(message("answer", "b", setup, intendedStart, SDP));
                for (int i = 0; i < 4; i++) {
                    b.sendText(message("candidate", "b", setup, intendedStart, CANDIDATE));
                }
            }
            if (candidates) {
                for (int i = 0; i < 4; i++) {
                    a.sendText(message("candidate", "a", setup, intendedStart, CANDIDATE));
                }
            }
            if (next >= 0) {
                a.sendText(message("offer", "a", next, nextIntended, SDP));
            }
        }

        synchronized boolean idle() {
            return !busy && waiting.isEmpty();
        }
    }

    private final List<Call> calls = new ArrayList<>();
    private final AtomicLong nextId = new AtomicLong();
    private final AtomicLong started = new AtomicLong();
    private final AtomicLong completedCount = new AtomicLong();
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong stale = new AtomicLong();
    private final Histogram latency = new Histogram(TimeUnit.MINUTES.toMicros(2), 3);
    private volatile long recordFrom = Long.MAX_VALUE;
    private volatile boolean closedLoop;
    private volatile boolean running;

    private CallSetup() {
    }

    /** {@code {"type":..,"from":..,"id":..,"t":nanos,"sdp"|"candidate":body}}, as the scenarios' browsers send. */
    static byte[] message(String type, String from, long id, long nanos, String body) {
        String field = type.equals("candidate") ? "candidate" : "sdp";
        return ("{\"type\":\"" + type + "\",\"from\":\"" + from + "\",\"id\":" + id + ",\"t\":" + nanos + ",\""
                + field + "\":\"" + body + "\"}").getBytes(StandardCharsets.US_ASCII);
    }

    private void completed(long intendedNanos) {
        completedCount.incrementAndGet();
        if (intendedNanos >= recordFrom) {
            synchronized (latency) {
                latency.recordValue(Math.min(latency.getHighestTrackableValue(),
                        Math.max(0, (System.nanoTime() - intendedNanos) / 1_000)));
            }
        }
    }

    static void run(Bench bench) throws Exception {
        BenchConfig config = bench.config;
        List<Report.Row> rows = new ArrayList<>();
        bench.scenario("call set-up over echo", () -> {
            List<CallSetup> sides = new ArrayList<>();
            try {
                for (Target target : bench.targets()) {
                    sides.add(open(bench, target, config.callPairs()));
                }
                List<List<Double>> perSecond = List.of(new ArrayList<>(), new ArrayList<>());
                for (int run = 0; run < config.saturationRuns(); run++) {
                    for (int s = 0; s < sides.size(); s++) {
                        double rate = sides.get(s).saturate(config);
                        perSecond.get(s).add(rate);
                        bench.log("call set-up %s run %d: %,.0f set-ups/s", bench.targets().get(s).name(), run + 1, rate);
                    }
                }
                rows.add(new Report.Row("set-ups/s, every pair calling back to back", "",
                        new Figure(perSecond.get(0)), new Figure(perSecond.get(1))));
                for (double level : LEVELS) {
                    List<List<Double>> p50 = List.of(new ArrayList<>(), new ArrayList<>());
                    List<List<Double>> p99 = List.of(new ArrayList<>(), new ArrayList<>());
                    for (int s = 0; s < sides.size(); s++) {
                        Histogram histogram = sides.get(s).openLoop(config, level * new Figure(perSecond.get(s)).median());
                        p50.get(s).add(histogram.getValueAtPercentile(50) / 1000.0);
                        p99.get(s).add(histogram.getValueAtPercentile(99) / 1000.0);
                    }
                    String at = String.format(Locale.ROOT, " at %.0f%% of saturation", level * 100);
                    rows.add(new Report.Row("set-up time p50" + at, "ms", new Figure(p50.get(0)), new Figure(p50.get(1))));
                    rows.add(new Report.Row("set-up time p99" + at, "ms", new Figure(p99.get(0)), new Figure(p99.get(1))));
                }
                for (int s = 0; s < sides.size(); s++) {
                    CallSetup side = sides.get(s);
                    long expected = side.started.get() * DELIVERIES_PER_SETUP;
                    bench.report.tallies.add(new Report.Tally("call set-up over echo", bench.targets().get(s).name(),
                            expected, Math.max(0, expected - (side.received.get() - side.stale.get())),
                            side.stale.get(), 0));
                }
            } finally {
                for (CallSetup side : sides) {
                    for (Call call : side.calls) {
                        call.a.close();
                        call.b.close();
                    }
                }
                bench.awaitEmpty();
            }
        });
        bench.report.sections.add(new Report.Section("Call set-up over echo", String.format(Locale.ROOT,
                "%d pairs, each in its own echo namespace: offer (4,000-byte SDP), answer (4,000-byte SDP), 4 ICE "
                        + "candidates from each side (~200 bytes), each message also echoed to its sender.",
                config.callPairs()), rows, List.of()));
    }

    private static CallSetup open(Bench bench, Target target, int pairs) throws Exception {
        CallSetup setup = new CallSetup();
        Call[] byPair = new Call[pairs];
        List<BenchSocket> sockets = bench.generator.connectAll(2 * pairs, i -> target.echo("call-" + (i / 2)), false,
                i -> (socket, text, data, offset, length) -> {
                    try {
                        byPair[i / 2].received(i % 2 == 0, data, offset, length);
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                });
        for (int p = 0; p < pairs; p++) {
            byPair[p] = setup.new Call(sockets.get(2 * p), sockets.get(2 * p + 1));
            setup.calls.add(byPair[p]);
        }
        bench.settle(target, 2 * pairs);
        return setup;
    }

    /** Every pair calls back to back; @return completed set-ups per second while measuring. */
    private double saturate(BenchConfig config) throws IOException, InterruptedException {
        closedLoop = true;
        running = true;
        recordFrom = Long.MAX_VALUE;
        long start = System.nanoTime();
        for (Call call : calls) {
            call.schedule(start);
        }
        LockSupport.parkNanos(config.warmUp().toNanos());
        long before = completedCount.get();
        long measureFrom = System.nanoTime();
        LockSupport.parkNanos(config.measure().toNanos());
        double rate = (completedCount.get() - before) / ((System.nanoTime() - measureFrom) / 1e9);
        running = false;
        awaitIdle();
        return rate;
    }

    /** Set-ups started on a fixed schedule; @return their set-up times in microseconds. */
    private Histogram openLoop(BenchConfig config, double perSecond) throws IOException, InterruptedException {
        closedLoop = false;
        long period = Math.max(1, Math.round(1e9 / perSecond));
        long start = System.nanoTime();
        long measureFrom = start + config.warmUp().toNanos();
        long end = measureFrom + config.measure().toNanos();
        synchronized (latency) {
            latency.reset();
        }
        recordFrom = measureFrom;
        for (long i = 0; ; i++) {
            long intended = start + i * period;
            if (intended >= end) {
                break;
            }
            long wait = intended - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            calls.get((int) (i % calls.size())).schedule(intended);
        }
        awaitIdle();
        recordFrom = Long.MAX_VALUE;
        synchronized (latency) {
            return latency.copy();
        }
    }

    private void awaitIdle() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline) {
            if (calls.stream().allMatch(Call::idle)) {
                return;
            }
            Thread.sleep(5);
        }
    }
}
