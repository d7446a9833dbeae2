package co.signalchannel.bench;

import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;

/**
 * Scenario 7, call set-up on fresh relay sessions (churn), as a signaling server mostly sees
 * calls: each call opens two new WebSocket connections to a relay namespace and pairs them by
 * mirror headers; once both have heard {@code {"open":true}} the caller sends an offer (4,000-byte
 * SDP), the callee answers (4,000 bytes) and sends 4 ICE candidates, and the caller sends its 4 on
 * the answer. When each side has everything from the other, both send their close frame in the
 * same instant, and each connection goes once the server has answered its close (or after
 * {@link #CLOSED_WITHIN}). {@code churnCalls} calls are in flight at once; each that ends makes
 * room for the next. Both servers take turns run by run.
 *
 * <p>The cluster scenario ({@link ClusterScenarios}) runs the same calls with the callers on one
 * node and the callees on each node in turn, and also at a fixed rate ({@link #runAt}).
 *
 * <p>Issue 10's close race showed under exactly this load: later handshakes answered with 301,
 * 404, 200 or 500, and silent calls. So every handshake must be answered with 101, every call must
 * be set up within {@link #SET_UP_WITHIN}, and every connection must end with the server's 1000;
 * anything else is a problem of the run, with the status, the progress or the close code seen.
 */
final class CallChurn {

    static final Duration SET_UP_WITHIN = Duration.ofSeconds(15);
    /** Well beyond signal-channel's {@code close.timeout-ms} (5 s), after which it drops a client that does not answer. */
    static final Duration CLOSED_WITHIN = Duration.ofSeconds(15);
    /** How much longer than configured a warm-up or a measuring window may last (see {@link #run(BenchConfig, int)}). */
    static final Duration STRETCH = Duration.ofSeconds(30);
    static final String TITLE = "Call set-up on fresh relay sessions";
    private static final String SCENARIO = "call set-up on fresh relay sessions";
    private static final int EXPECTED_CLOSE = 1000;
    /** Relay namespaces the calls are spread over, as in {@code ChurnIT}. */
    private static final int ROOMS = 50;
    private static final int MESSAGES_EACH_WAY = 5; // an offer or an answer, then 4 candidates
    /** Messages a call's two ends hear: each its {"open":true} and the other's five. */
    private static final int MESSAGES_PER_CALL = 2 * (1 + MESSAGES_EACH_WAY);
    private static final int EXAMPLES = 5;
    private static final byte[] OPEN = "{\"open\":true}".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TYPE = "{\"type\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ID = "\"id\":".getBytes(StandardCharsets.US_ASCII);

    private final Bench bench;
    /** The scenario's name in the report's tallies and problems. */
    private final String scenario;
    /** This side's name in the report: the server, or the servers, the calls go to. */
    private final String side;
    /** Where callers connect. */
    private final Target callers;
    /** Where callees connect: call by call, each in turn. */
    private final List<Target> callees;
    private final ScheduledThreadPoolExecutor timer;
    private final AtomicLong nextId = new AtomicLong();
    /** Calls not ended yet, so that a run that cannot drain can still drop them. */
    private final Set<Call> live = ConcurrentHashMap.newKeySet();

    // over every run, warm-up and drain included
    private final LongAdder handshakes = new LongAdder();
    private final LongAdder calls = new LongAdder();
    private final LongAdder completed = new LongAdder();
    private final LongAdder bothOpened = new LongAdder();
    private final LongAdder heardInPlace = new LongAdder();
    private final LongAdder heardExtra = new LongAdder();
    private final LongAdder heardMisplaced = new LongAdder();
    private final Map<String, LongAdder> refused = new ConcurrentSkipListMap<>();
    private final Map<String, LongAdder> unexpectedCloses = new ConcurrentSkipListMap<>();
    private final LongAdder incomplete = new LongAdder();
    private final Queue<String> incompleteExamples = new ConcurrentLinkedQueue<>();

    // per run
    final List<Double> callsPerSecond = new ArrayList<>();
    final List<Double> p50 = new ArrayList<>();
    final List<Double> p99 = new ArrayList<>();
    /** Lengths of measuring windows that had to be stretched, in seconds. */
    final List<Double> stretched = new ArrayList<>();

    private CallChurn(Bench bench, Target target, ScheduledThreadPoolExecutor timer) {
        this(bench, SCENARIO, target.name(), target, List.of(target), timer);
    }

    /**
     * Calls whose callers connect to {@code callers} and whose callees connect to each of
     * {@code callees} in turn (call 1 to the first, call 2 to the second, ...), reported as
     * {@code side} under {@code scenario}.
     */
    CallChurn(Bench bench, String scenario, String side, Target callers, List<Target> callees,
              ScheduledThreadPoolExecutor timer) {
        this.bench = bench;
        this.scenario = scenario;
        this.side = side;
        this.callers = callers;
        this.callees = List.copyOf(callees);
        this.timer = timer;
    }

    /** A timer for the calls' deadlines, one daemon thread; the caller shuts it down. */
    static ScheduledThreadPoolExecutor timer() {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, task -> {
            Thread thread = new Thread(task, "bench-churn-timer");
            thread.setDaemon(true);
            return thread;
        });
        timer.setRemoveOnCancelPolicy(true);
        return timer;
    }

    /**
     * One run: its free slots, its measuring window and what it measured. The window opens when
     * the warm-up ends and closes when the run stops starting calls.
     */
    private static final class Window {
        final Semaphore slots;
        volatile long from = Long.MAX_VALUE;
        volatile long until = Long.MAX_VALUE;
        /** Calls of this run that ended, however. */
        final LongAdder ended = new LongAdder();
        /** Calls completed within the window. */
        final LongAdder completed = new LongAdder();
        /** The measured calls, all of them and by where their callee connected. */
        final Timings all = new Timings();
        final Timings[] byCallee;

        Window(Semaphore slots, int callees) {
            this.slots = slots;
            byCallee = new Timings[callees];
            for (int i = 0; i < callees; i++) {
                byCallee[i] = new Timings();
            }
        }

        /** Records a measured call's set-up time, in microseconds. */
        void setUp(int callee, long micros) {
            for (Timings timings : new Timings[]{all, byCallee[callee]}) {
                synchronized (timings.setUpTimes) {
                    timings.setUpTimes.recordValue(Math.min(timings.setUpTimes.getHighestTrackableValue(), micros));
                }
            }
        }

        /** Whether {@code nanos} (a call's start, or its end) falls in the measuring window. */
        boolean measures(long nanos) {
            return nanos >= from && nanos < until;
        }
    }

    /**
     * The set-up times of measured calls, and where the time of those that completed went, summed
     * (for the log): both handshakes, pairing (until both heard {"open":true}), the exchange, the
     * closes.
     */
    private static final class Timings {
        final Histogram setUpTimes = new Histogram(TimeUnit.MINUTES.toMicros(2), 3);
        final LongAdder opensNanos = new LongAdder();
        final LongAdder pairedNanos = new LongAdder();
        final LongAdder setUpNanos = new LongAdder();
        final LongAdder closedNanos = new LongAdder();
        final LongAdder timed = new LongAdder();

        Histogram copy() {
            synchronized (setUpTimes) {
                return setUpTimes.copy();
            }
        }

        String phases() {
            long n = Math.max(1, timed.sum());
            return String.format(Locale.ROOT, "mean ms over %d calls: handshakes %.1f, pairing %.1f, exchange %.1f, "
                    + "close %.1f", timed.sum(), opensNanos.sum() / 1e6 / n, pairedNanos.sum() / 1e6 / n,
                    setUpNanos.sum() / 1e6 / n, closedNanos.sum() / 1e6 / n);
        }
    }

    /** What a run at a fixed rate measured: the set-up times of all its calls, and by callee target. */
    record SetUpTimes(Histogram all, List<Histogram> byCallee) {
    }

    /** One call: two fresh connections and what each end has heard. */
    private final class Call {
        final long id = nextId.incrementAndGet();
        /** Which of {@link #callees} the callee connects to. */
        final int calleeIndex = (int) ((id - 1) % callees.size());
        /** When the call began, or was scheduled to (open loop): its set-up time counts from here. */
        final long started;
        final Window window;
        final End caller = new End(this, true);
        final End callee = new End(this, false);
        // guarded by this, as is the state of both ends:
        long setUpAt; // 0 until each end has heard everything
        long openedAt; // both handshakes done
        long pairedAt; // both heard {"open":true}
        String failure; // why the call cannot complete; null while it can
        boolean finished;
        ScheduledFuture<?> deadline;

        Call(Window window, long started) {
            this.window = window;
            this.started = started;
        }

        void start() {
            calls.increment();
            live.add(this);
            synchronized (this) {
                deadline = timer.schedule(this::overdue, SET_UP_WITHIN.toNanos(), TimeUnit.NANOSECONDS);
            }
            String room = "churn-" + id % ROOMS;
            caller.connect(callers.relay(room));
            callee.connect(callees.get(calleeIndex).relay(room));
        }

        /** The call cannot complete: the first reason stays, and both connections go now. */
        void fail(String why) {
            synchronized (this) {
                if (failure != null || setUpAt != 0) {
                    return;
                }
                failure = why;
            }
            caller.drop();
            callee.drop();
        }

        private void overdue() {
            String progress;
            synchronized (this) {
                if (setUpAt != 0 || failure != null) {
                    return;
                }
                progress = caller.progress() + "; " + callee.progress();
            }
            fail("not set up within " + SET_UP_WITHIN.toSeconds() + " s (" + progress + ")");
        }

        /** One end has heard everything; once both have, both hang up in the same instant. */
        void heardAll() {
            long now = System.nanoTime();
            synchronized (this) {
                if (setUpAt != 0 || failure != null || !caller.heardAll() || !callee.heardAll()) {
                    return;
                }
                setUpAt = now;
                deadline.cancel(false);
                deadline = timer.schedule(this::unanswered, CLOSED_WITHIN.toNanos(), TimeUnit.NANOSECONDS);
            }
            if (window.measures(started)) {
                window.setUp(calleeIndex, (now - started) / 1_000);
            }
            caller.socket.sendClose();
            callee.socket.sendClose();
        }

        private void unanswered() {
            caller.abandon();
            callee.abandon();
        }

        /** One end is over (its connection ended, or never opened); the call ends with the second. */
        void ended() {
            String why;
            synchronized (this) {
                if (finished || !caller.over || !callee.over) {
                    return;
                }
                finished = true;
                deadline.cancel(false);
                why = failure != null ? failure : setUpAt == 0 ? "ended before it was set up" : null;
            }
            live.remove(this);
            long now = System.nanoTime();
            if (why == null) {
                completed.increment();
                if (window.measures(now)) {
                    window.completed.increment();
                }
                if (window.measures(started)) {
                    synchronized (this) {
                        for (Timings timings : new Timings[]{window.all, window.byCallee[calleeIndex]}) {
                            timings.timed.increment();
                            timings.opensNanos.add(openedAt - started);
                            timings.pairedNanos.add(pairedAt - openedAt);
                            timings.setUpNanos.add(setUpAt - pairedAt);
                            timings.closedNanos.add(now - setUpAt);
                        }
                    }
                }
            } else {
                incomplete.increment();
                if (incompleteExamples.size() < EXAMPLES) {
                    incompleteExamples.add("call " + id + ": " + why);
                }
            }
            window.ended.increment();
            window.slots.release();
        }
    }

    /** One end of a call: its connection and what it has heard, guarded by the call. */
    private final class End implements BenchSocket.Inbound {
        final Call call;
        final boolean caller;
        BenchSocket socket;
        boolean open;
        int heard;
        boolean over;
        boolean abandoned;

        End(Call call, boolean caller) {
            this.call = call;
            this.caller = caller;
        }

        String name() {
            return caller ? "caller" : "callee";
        }

        void connect(URI room) {
            handshakes.increment();
            bench.generator.connect(room, false, this).whenComplete(this::opened);
        }

        private void opened(BenchSocket opened, Throwable failure) {
            if (failure != null) {
                String status = status(failure);
                refused.computeIfAbsent(status, any -> new LongAdder()).increment();
                synchronized (call) {
                    over = true;
                }
                call.fail(name() + "'s handshake: " + status);
                call.ended();
                return;
            }
            boolean failed;
            boolean second;
            synchronized (call) {
                socket = opened;
                failed = call.failure != null;
                second = call.caller.socket != null && call.callee.socket != null;
            }
            if (failed) {
                opened.drop(); // closed() follows
                return;
            }
            if (second) {
                bothOpened.increment();
                synchronized (call) {
                    call.openedAt = System.nanoTime();
                }
            }
            String self = (caller ? "a" : "b") + call.id;
            String other = (caller ? "b" : "a") + call.id;
            send(("{\"local\":\"" + self + "\",\"remote\":\"" + other + "\"}").getBytes(StandardCharsets.US_ASCII));
        }

        @Override
        public void message(BenchSocket from, boolean text, byte[] data, int offset, int length) {
            int end = offset + length;
            boolean opening = false;
            int position = -1;
            synchronized (call) {
                if (!open) {
                    opening = open = length == OPEN.length && Ascii.startsWith(data, offset, end, OPEN);
                    if (opening && call.caller.open && call.callee.open) {
                        call.pairedAt = System.nanoTime();
                    }
                } else {
                    position = heard++;
                }
            }
            if (position < 0) {
                if (!opening) {
                    heardMisplaced.increment();
                    call.fail(name() + " heard a message before {\"open\":true}");
                    return;
                }
                heardInPlace.increment();
                if (caller) {
                    send(CallSetup.message("offer", "a", call.id, call.started, CallSetup.SDP));
                }
                return;
            }
            if (position >= MESSAGES_EACH_WAY) {
                heardExtra.increment();
                call.fail(name() + " heard a message beyond the other's " + MESSAGES_EACH_WAY);
                return;
            }
            int typeAt = Ascii.after(data, offset, end, TYPE);
            int idAt = Ascii.after(data, offset, end, ID);
            char expected = position > 0 ? 'c' : caller ? 'a' : 'o';
            if (typeAt < 0 || idAt < 0 || data[typeAt] != expected || Ascii.parseLong(data, idAt, end) != call.id) {
                heardMisplaced.increment();
                call.fail(name() + " heard message " + (position + 1) + " of the wrong type or call: "
                        + new String(data, offset, Math.min(length, 60), StandardCharsets.US_ASCII));
                return;
            }
            heardInPlace.increment();
            if (position == 0 && !caller) {
                send(CallSetup.message("answer", "b", call.id, call.started, CallSetup.SDP));
                for (int i = 0; i < 4; i++) {
                    send(CallSetup.message("candidate", "b", call.id, call.started, CallSetup.CANDIDATE));
                }
            } else if (position == 0) {
                for (int i = 0; i < 4; i++) {
                    send(CallSetup.message("candidate", "a", call.id, call.started, CallSetup.CANDIDATE));
                }
            }
            if (position == MESSAGES_EACH_WAY - 1) {
                call.heardAll();
            }
        }

        @Override
        public void closed(BenchSocket from, int code, String reason) {
            boolean setUp;
            boolean failed;
            boolean gaveUp;
            synchronized (call) {
                over = true;
                setUp = call.setUpAt != 0;
                failed = call.failure != null;
                gaveUp = abandoned;
            }
            if (setUp && gaveUp) {
                unexpectedClose("no close from the server within " + CLOSED_WITHIN.toSeconds() + " s");
            } else if (setUp && code != EXPECTED_CLOSE) {
                unexpectedClose(code + (reason.isEmpty() ? "" : " " + reason));
            } else if (!setUp && !failed) {
                call.fail(name() + " closed with " + code + (reason.isEmpty() ? "" : " " + reason)
                        + " before the call was set up");
            }
            call.ended();
        }

        /** @return whether this end has {"open":true} and the other's five messages; call's lock held */
        boolean heardAll() {
            return open && heard == MESSAGES_EACH_WAY;
        }

        /** What this end has got so far; call's lock held. */
        String progress() {
            return name() + ": " + (socket == null ? "handshake not answered" : !open ? "not paired"
                    : "heard " + heard + " of " + MESSAGES_EACH_WAY);
        }

        void drop() {
            BenchSocket connection;
            synchronized (call) {
                connection = socket;
            }
            if (connection != null) {
                connection.drop();
            }
        }

        void abandon() {
            BenchSocket connection;
            synchronized (call) {
                if (over || socket == null) {
                    return;
                }
                abandoned = true;
                connection = socket;
            }
            connection.drop();
        }

        private void send(byte[] message) {
            try {
                socket.sendText(message);
            } catch (IOException e) {
                call.fail(name() + " could not send: " + e.getMessage());
            }
        }

        private void unexpectedClose(String description) {
            unexpectedCloses.computeIfAbsent(description, any -> new LongAdder()).increment();
        }
    }

    /** The status line a refused handshake was answered with, or what happened instead of an answer. */
    private static String status(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (cause instanceof BenchSocket.HandshakeRefused refusal) {
            return refusal.statusLine;
        }
        if (cause instanceof TimeoutException) {
            return "no answer to the handshake within " + LoadGenerator.CONNECT_TIMEOUT_SECONDS + " s";
        }
        return "no answer to the handshake: " + cause.getMessage();
    }

    /**
     * Calls back to back, {@code inFlight} at once: the warm-up, then the measuring window. Each
     * lasts its configured time and, on a machine slow enough that a call outlasts it, until
     * {@code inFlight} calls have ended in it (at most {@link #STRETCH} longer), so that the window
     * sees calls turn over rather than one wave of them.
     */
    void run(BenchConfig config, int inFlight) throws InterruptedException {
        Semaphore slots = new Semaphore(inFlight);
        Window window = new Window(slots, callees.size());
        long start = System.nanoTime();
        callUntil(window, start, config.warmUp(), inFlight);
        long from = System.nanoTime();
        window.from = from;
        callUntil(window, from, config.measure(), inFlight);
        long until = System.nanoTime();
        window.until = until;
        Duration measured = Duration.ofNanos(until - from);
        if (measured.compareTo(config.measure().plusSeconds(1)) > 0) {
            stretched.add(measured.toMillis() / 1000.0);
        }
        Duration drain = drain();
        if (!slots.tryAcquire(inFlight, drain.toNanos(), TimeUnit.NANOSECONDS)) {
            dropUnended(drain);
        }
        callsPerSecond.add(window.completed.sum() / ((until - from) / 1e9));
        logPhases(window);
        Histogram setUpTimes = window.all.copy();
        boolean any = setUpTimes.getTotalCount() > 0;
        p50.add(any ? setUpTimes.getValueAtPercentile(50) / 1000.0 : Double.NaN);
        p99.add(any ? setUpTimes.getValueAtPercentile(99) / 1000.0 : Double.NaN);
    }

    /** Starts calls as slots free up until {@code at least} has passed since {@code since} and {@code turnover} calls have ended. */
    private void callUntil(Window window, long since, Duration atLeast, int turnover) throws InterruptedException {
        long endedBefore = window.ended.sum();
        long minimum = since + atLeast.toNanos();
        long maximum = minimum + STRETCH.toNanos();
        for (long now = System.nanoTime(); now < maximum && (now < minimum || window.ended.sum() - endedBefore < turnover);
             now = System.nanoTime()) {
            if (window.slots.tryAcquire(10, TimeUnit.MILLISECONDS)) {
                new Call(window, System.nanoTime()).start();
            }
        }
    }

    /** How long the calls of a run may take to end once it has stopped starting them. */
    private static Duration drain() {
        // a refused or silent handshake is given up after the generator's connect timeout, a call after its bounds
        return Duration.ofSeconds(LoadGenerator.CONNECT_TIMEOUT_SECONDS).plus(CLOSED_WITHIN).plusSeconds(15);
    }

    private void dropUnended(Duration drain) {
        bench.report.problems.add(String.format(Locale.ROOT, "%s, %s: %d calls had not ended %d s after the run; "
                + "dropped", scenario, side, live.size(), drain.toSeconds()));
        for (Call call : List.copyOf(live)) {
            call.fail("had not ended " + drain.toSeconds() + " s after the run");
            call.unanswered();
        }
    }

    /**
     * Calls started on a fixed schedule, {@code callsPerSecond}, whatever the servers do (open
     * loop): the warm-up, then the measuring window; then waits for every call to end. A call's
     * set-up time counts from its scheduled start, so a late start counts against it.
     *
     * @return the set-up times, in microseconds, of the calls scheduled in the measuring window
     */
    SetUpTimes runAt(BenchConfig config, double callsPerSecond) throws InterruptedException {
        // no slots: calls start on schedule, not as others end
        Window window = new Window(new Semaphore(0), callees.size());
        long period = Math.max(1, Math.round(1e9 / callsPerSecond));
        long start = System.nanoTime();
        window.from = start + config.warmUp().toNanos();
        window.until = window.from + config.measure().toNanos();
        long started = 0;
        for (long intended = start; intended < window.until; intended = start + started * period) {
            long wait = intended - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            new Call(window, intended).start();
            started++;
        }
        Duration drain = drain();
        long deadline = System.nanoTime() + drain.toNanos();
        while (window.ended.sum() < started && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        if (window.ended.sum() < started) {
            dropUnended(drain);
        }
        logPhases(window);
        List<Histogram> byCallee = new ArrayList<>();
        for (Timings timings : window.byCallee) {
            byCallee.add(timings.copy());
        }
        return new SetUpTimes(window.all.copy(), byCallee);
    }

    private void logPhases(Window window) {
        bench.log("churn %s phases (%s)", side, window.all.phases());
        if (callees.size() > 1) {
            for (int i = 0; i < callees.size(); i++) {
                bench.log("churn %s phases, callee on %s (%s)", side, callees.get(i).name(), window.byCallee[i].phases());
            }
        }
    }

    static void run(Bench bench) throws Exception {
        BenchConfig config = bench.config;
        int inFlight = config.churnCalls();
        List<CallChurn> sides = new ArrayList<>();
        ScheduledThreadPoolExecutor timer = timer();
        bench.scenario(SCENARIO, () -> {
            try {
                for (Target target : bench.targets()) {
                    sides.add(new CallChurn(bench, target, timer));
                }
                for (int run = 0; run < config.saturationRuns(); run++) {
                    for (CallChurn side : sides) {
                        side.run(config, inFlight);
                        int last = side.callsPerSecond.size() - 1;
                        bench.log("churn %s run %d: %,.0f calls/s, set-up p50 %.1f ms, p99 %.1f ms", side.side,
                                run + 1, side.callsPerSecond.get(last), side.p50.get(last), side.p99.get(last));
                    }
                }
            } finally {
                timer.shutdownNow();
                bench.awaitEmpty();
            }
        });
        CallChurn ours = sides.get(0);
        CallChurn baseline = sides.get(1);
        List<Report.Row> rows = List.of(
                new Report.Row(String.format(Locale.ROOT, "calls/s, %d in flight, each on two new connections", inFlight),
                        "", new Figure(ours.callsPerSecond), new Figure(baseline.callsPerSecond)),
                new Report.Row("set-up time p50, connect to everything received", "ms",
                        new Figure(ours.p50), new Figure(baseline.p50)),
                new Report.Row("set-up time p99, connect to everything received", "ms",
                        new Figure(ours.p99), new Figure(baseline.p99)));
        List<String> notes = new ArrayList<>();
        List<String> measured = new ArrayList<>();
        boolean clean = true;
        for (CallChurn side : sides) {
            notes.add(side.summary());
            if (!side.stretched.isEmpty()) {
                notes.add(side.stretchedNote(inFlight));
            }
            measured.add(side.side + ": " + side.failures());
            clean &= side.clean();
            side.report();
        }
        bench.scenarioChecks.add(new Report.Check("zero failed handshakes, incomplete calls and unexpected close codes, "
                + "call set-up on fresh relay sessions", String.join("; ", measured), clean));
        bench.report.sections.add(new Report.Section(TITLE, String.format(Locale.ROOT,
                "%d calls in flight, each on two new WebSocket connections to a relay namespace (%d namespaces): mirror "
                        + "headers, both wait for {\"open\":true}, offer (4,000-byte SDP), answer (4,000-byte SDP) and 4 ICE "
                        + "candidates from the callee, 4 from the caller on the answer; once each side has everything from "
                        + "the other both send their close frame in the same instant, and each connection goes on the "
                        + "server's close (expected: 1000), or after %d s. A call that ends makes room for the next. "
                        + "Each run: %s s of warm-up, then %s s measured; on a machine so slow that a call outlasts them, "
                        + "each lasts until %d calls have ended in it (at most %d s more). Set-up time: from the call's "
                        + "first connect to the last message heard, for calls started in the measuring window; calls/s: "
                        + "calls ended, set up and closed, within it. A call must be set up within %d s. Baseline: a minimal relay endpoint (BaselineRelayEndpoint: pairs two sessions by "
                        + "mirror header and forwards; no claims, buffering, deadlines or partner close).",
                inFlight, ROOMS, CLOSED_WITHIN.toSeconds(), Figure.format(config.warmUp().toMillis() / 1000.0),
                Figure.format(config.measure().toMillis() / 1000.0), inFlight, STRETCH.toSeconds(),
                SET_UP_WITHIN.toSeconds()), rows, notes));
    }

    /** This side's name in the report. */
    String side() {
        return side;
    }

    /** Calls started so far, in every run. */
    long callsStarted() {
        return calls.sum();
    }

    /** Says how the closed-loop runs' windows had to be stretched; only when some were. */
    String stretchedNote(int inFlight) {
        return String.format(Locale.ROOT, "%s: calls outlasted the configured window in %d of %d runs, whose "
                        + "measuring windows were stretched until %d calls had ended in them (to %s s at most).",
                side, stretched.size(), callsPerSecond.size(), inFlight,
                Figure.format(stretched.stream().mapToDouble(Double::doubleValue).max().orElse(0)));
    }

    boolean clean() {
        return refused.isEmpty() && incomplete.sum() == 0 && unexpectedCloses.isEmpty();
    }

    String failures() {
        return String.format(Locale.ROOT, "%,d of %,d handshakes not answered with 101, %,d of %,d calls incomplete, "
                + "%,d unexpected closes", total(refused), handshakes.sum(), incomplete.sum(), calls.sum(),
                total(unexpectedCloses));
    }

    String summary() {
        return String.format(Locale.ROOT, "%s: %,d calls started, %,d completed, %,d not completed within their bounds; "
                + "%,d handshakes, %,d not answered with 101; %,d connections ended otherwise than with the server's %d "
                + "after the call.", side, calls.sum(), completed.sum(), incomplete.sum(), handshakes.sum(),
                total(refused), total(unexpectedCloses), EXPECTED_CLOSE);
    }

    /** Every message heard accounted for, and every failure a problem of the run. */
    void report() {
        long expected = bothOpened.sum() * MESSAGES_PER_CALL;
        bench.report.tallies.add(new Report.Tally(scenario, side, expected,
                Math.max(0, expected - heardInPlace.sum()), heardExtra.sum(), heardMisplaced.sum()));
        String prefix = scenario + ", " + side + ": ";
        if (!refused.isEmpty()) {
            bench.report.problems.add(String.format(Locale.ROOT, "%s%,d of %,d handshakes not answered with 101: %s",
                    prefix, total(refused), handshakes.sum(), describe(refused)));
        }
        if (incomplete.sum() > 0) {
            bench.report.problems.add(String.format(Locale.ROOT, "%s%,d of %,d calls not completed (set up within %d s "
                    + "and closed); the first to end: %s", prefix, incomplete.sum(), calls.sum(), SET_UP_WITHIN.toSeconds(),
                    String.join("; ", incompleteExamples)));
        }
        if (!unexpectedCloses.isEmpty()) {
            bench.report.problems.add(String.format(Locale.ROOT, "%s%,d connections ended otherwise than with the "
                    + "server's close %d after the call: %s", prefix, total(unexpectedCloses), EXPECTED_CLOSE,
                    describe(unexpectedCloses)));
        }
    }

    private static long total(Map<String, LongAdder> counts) {
        return counts.values().stream().mapToLong(LongAdder::sum).sum();
    }

    /** {@code what ×count, …}, most frequent first. */
    private static String describe(Map<String, LongAdder> counts) {
        return counts.entrySet().stream()
                .sorted((a, b) -> Long.compare(b.getValue().sum(), a.getValue().sum()))
                .map(entry -> String.format(Locale.ROOT, "%s ×%,d", entry.getKey(), entry.getValue().sum()))
                .collect(Collectors.joining(", "));
    }
}
