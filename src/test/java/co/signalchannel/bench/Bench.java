package co.signalchannel.bench;

import co.signalchannel.config.Setting;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * The benchmark of issue 6: every scenario, against signal-channel and the raw baseline deployed
 * in the same server, written to {@code report.md} and {@code report.json}.
 *
 * <p>{@code mvn -Pbench verify} (or {@code bench/run.sh}) runs {@link #main} with the full
 * configuration: it starts Payara Micro with both WARs and owns it, so it can also read the
 * server's heap, RSS and CPU. {@code BenchSmokeIT} runs {@link #run} with the smoke configuration
 * against the Arquillian-managed server.
 *
 * <p>The cluster scenario ({@link ClusterScenarios}, issue 11) compares two nodes and Redis with one
 * node instead, on servers it starts itself like this one; a run that starts no server (the smoke
 * test) leaves it out.
 */
public final class Bench {

    /**
     * The settings the benchmark gives signal-channel: room for its crowds, nothing else changed.
     * Its load generator is one client address sending at saturation, so the per-address and
     * per-session rate limits are lifted out of the way (they still run on every message).
     */
    static final Map<String, String> SERVER_SETTINGS = Map.ofEntries(
            Map.entry("signalchannel.namespace.max-sessions", "50000"),
            Map.entry("signalchannel.sessions.max", "100000"),
            Map.entry("signalchannel.outbox.max-messages", "16384"),
            Map.entry("signalchannel.outbox.max-bytes", "16777216"),
            Map.entry("signalchannel.scuttlebutt.max-keys", "20000"),
            Map.entry("signalchannel.scuttlebutt.max-bytes", "16777216"),
            Map.entry("signalchannel.rate.messages-per-second", "1000000000"),
            Map.entry("signalchannel.rate.messages-burst", "1000000000"),
            Map.entry("signalchannel.rate.bytes-per-second", "100000000000"),
            Map.entry("signalchannel.rate.bytes-burst", "100000000000"),
            Map.entry("signalchannel.address.sessions-per-second", "1000000"),
            Map.entry("signalchannel.address.sessions-burst", "1000000"),
            Map.entry("signalchannel.address.max-sessions", "1000000"));

    /** {@link #SERVER_SETTINGS} as settings, for a deployment of the benchmark's WAR in a test container. */
    static Map<Setting, Long> serverSettings() {
        Map<Setting, Long> settings = new EnumMap<>(Setting.class);
        for (Setting setting : Setting.values()) {
            String value = SERVER_SETTINGS.get(setting.propertyName());
            if (value != null) {
                settings.put(setting, Long.parseLong(value));
            }
        }
        return settings;
    }

    /** Payara's HTTP worker queue for the benchmark (see {@link #main}). */
    static final int HTTP_QUEUE = 65_536;

    final BenchConfig config;
    final LoadGenerator generator;
    final Target signalChannel;
    final Target baseline;
    /** The server process when this run owns it; null otherwise (memory is then not measured). */
    final ServerProcess server;
    /**
     * How the cluster scenario starts its nodes, alike to {@link #server}; null when this run starts
     * no server of its own (the smoke test), which leaves the cluster scenario out.
     */
    final ClusterNodes.Launch clusterLaunch;
    final Report report = new Report();
    /** Checks scenarios make of their own results, listed after issue 6's targets. */
    final List<Report.Check> scenarioChecks = new ArrayList<>();
    private final long started = System.nanoTime();

    Bench(BenchConfig config, LoadGenerator generator, Target signalChannel, Target baseline, ServerProcess server,
          ClusterNodes.Launch clusterLaunch) {
        this.config = config;
        this.generator = generator;
        this.signalChannel = signalChannel;
        this.baseline = baseline;
        this.server = server;
        this.clusterLaunch = clusterLaunch;
    }

    /** signal-channel first, then the baseline: the order the report's columns take. */
    List<Target> targets() {
        return List.of(signalChannel, baseline);
    }

    /**
     * Runs every scenario and checks the targets.
     *
     * @param machine what the report says about the machine and the server
     */
    static Report run(BenchConfig config, Target signalChannel, Target baseline, ServerProcess server,
                      Map<String, String> machine) {
        return run(config, signalChannel, baseline, server, null, machine, List.of());
    }

    /**
     * As {@link #run(BenchConfig, Target, Target, ServerProcess, Map)}, only the named scenarios (all
     * if none), the cluster scenario's nodes started as {@code clusterLaunch} says (null: not run).
     */
    static Report run(BenchConfig config, Target signalChannel, Target baseline, ServerProcess server,
                      ClusterNodes.Launch clusterLaunch, Map<String, String> machine, List<String> only) {
        for (String name : only) {
            if (!SCENARIOS.containsKey(name)) {
                throw new IllegalArgumentException("no scenario " + name + "; there are " + SCENARIOS.keySet());
            }
        }
        try (LoadGenerator generator = new LoadGenerator(2, 16)) {
            Bench bench = new Bench(config, generator, signalChannel, baseline, server, clusterLaunch);
            bench.only = only;
            bench.describeMachine(machine);
            bench.runAll();
            return bench.report;
        }
    }

    /** The scenarios by the names {@code --only} takes, in the order a full run takes them. */
    private static final Map<String, Scenario> SCENARIOS = new java.util.LinkedHashMap<>();

    static {
        SCENARIOS.put("fan-out", EchoFanOut::run);
        SCENARIOS.put("relay", RelayThroughput::run);
        SCENARIOS.put("call", CallSetup::run);
        SCENARIOS.put("churn", CallChurn::run);
        SCENARIOS.put("scuttlebutt", ScuttlebuttScenarios::run);
        SCENARIOS.put("idle", IdleConnections::run);
        SCENARIOS.put("cluster", ClusterScenarios::run);
    }

    /**
     * How soon the server ends a session whose client is gone without a close: the heartbeat's
     * timeout, one interval more to notice, and a margin.
     */
    static final Duration REAPED_WITHIN = Duration.ofMillis(Setting.HEARTBEAT_TIMEOUT_MS.defaultValue()
            + Setting.HEARTBEAT_INTERVAL_MS.defaultValue()).plusSeconds(10);

    private String scenarioName = "start";

    /** Scenario names given to {@code --only} (comma-separated); empty: all of them. */
    private List<String> only = List.of();

    private void runAll() {
        for (Map.Entry<String, Scenario> named : SCENARIOS.entrySet()) {
            if (!only.isEmpty() && !only.contains(named.getKey())) {
                continue;
            }
            Scenario scenario = named.getValue();
            try {
                scenario.run(this);
            } catch (Exception | AssertionError e) {
                report.problems.add("a scenario failed: " + e);
                log("scenario failed: %s", e);
                e.printStackTrace(System.out);
                try {
                    awaitEmpty();
                } catch (Exception ignored) {
                    // reported already
                }
            }
        }
        checkTargets();
        report.machine.put("Load average at the end (1, 5, 15 min)", loadAverage());
        report.machine.put("Benchmark time", String.format(Locale.ROOT, "%.0f s", (System.nanoTime() - started) / 1e9));
    }

    @FunctionalInterface
    private interface Scenario {
        void run(Bench bench) throws Exception;
    }

    /** One measured part of a scenario. */
    @FunctionalInterface
    interface Step {
        void run() throws Exception;
    }

    /** Runs one part of a scenario and books the CPU the generator and the server used meanwhile. */
    void scenario(String name, Step body) throws Exception {
        log("== %s", name);
        scenarioName = name;
        long wall = System.nanoTime();
        long generatorCpu = LoadGenerator.processCpuNanos();
        long serverCpu = server == null ? 0 : server.cpuNanos();
        try {
            body.run();
        } finally {
            double seconds = (System.nanoTime() - wall) / 1e9;
            report.cpu.add(new Report.Cpu(name, seconds, (LoadGenerator.processCpuNanos() - generatorCpu) / 1e9 / seconds,
                    server == null ? Double.NaN : (server.cpuNanos() - serverCpu) / 1e9 / seconds));
        }
    }

    /**
     * Waits until signal-channel has taken in the sessions just opened (it holds {@code count} in
     * all), or a moment for the baseline, which keeps no count.
     */
    void settle(Target target, int count) throws IOException, InterruptedException {
        if (target.isBaseline()) {
            Thread.sleep(300); // its @OnOpen runs as the handshake completes
        } else if (!target.awaitSessions(count, Duration.ofSeconds(60))) {
            throw new IOException("signal-channel holds " + target.sessions() + " sessions, expected " + count);
        }
    }

    /**
     * Waits until signal-channel holds no session, so that the next scenario starts clean.
     *
     * <p>A session whose close the container never reports stays until the heartbeat finds it
     * silent: within the heartbeat timeout plus one interval ({@link #REAPED_WITHIN}, with the
     * default settings the benchmark runs). That happened once in a full run, after a late joiner
     * sent its close frame and dropped the connection at once. Sessions gone within that time
     * are reported as an observation; a session still held after it is a leak, and a problem.
     */
    void awaitEmpty() throws IOException, InterruptedException {
        long start = System.nanoTime();
        Duration usual = Duration.ofSeconds(60);
        if (signalChannel.awaitSessions(0, usual)) {
            return;
        }
        int lingering = signalChannel.sessions();
        if (signalChannel.awaitSessions(0, REAPED_WITHIN.minus(usual))) {
            report.observations.add(String.format(Locale.ROOT, "after \"%s\": %d session(s) were still held %d s "
                    + "after every client had closed, and gone after %.0f s (the heartbeat ends a session silent "
                    + "for %d s)", scenarioName, lingering, usual.toSeconds(), (System.nanoTime() - start) / 1e9,
                    Setting.HEARTBEAT_TIMEOUT_MS.defaultValue() / 1000));
        } else {
            report.problems.add(String.format(Locale.ROOT, "after \"%s\": signal-channel still held %d sessions "
                    + "%d s after every client had closed", scenarioName, signalChannel.sessions(),
                    REAPED_WITHIN.toSeconds()));
        }
    }

    void tally(String scenario, Target target, DeliveryLedger ledger) {
        report.tallies.add(new Report.Tally(scenario, target.name(), ledger.expected(), ledger.lost(),
                ledger.duplicated(), ledger.outOfOrder()));
    }

    void log(String format, Object... args) {
        System.out.printf(Locale.ROOT, "[bench %6.1fs] %s%n", (System.nanoTime() - started) / 1e9,
                String.format(Locale.ROOT, format, args));
        System.out.flush();
    }

    private void checkTargets() {
        Map<String, Report.Row> rows = new HashMap<>();
        for (Report.Section section : report.sections) {
            for (Report.Row row : section.rows()) {
                rows.put(section.title() + " / " + row.metric(), row);
            }
        }
        for (EchoFanOut.Shape shape : config.fanOut()) {
            String section = "Echo fan-out, " + shape.name();
            Report.Row deliveries = rows.get(section + " / deliveries/s at saturation");
            if (deliveries != null && shape.rooms() == 1 && shape.members() >= 1_000) {
                report.checks.add(new Report.Check("echo fan-out deliveries/s ≥ 0.8× baseline, " + shape.name(),
                        ratio(deliveries), deliveries.ratio() >= 0.8));
            }
            Report.Row p99 = rows.get(section + " / p99 at 80% of saturation");
            if (p99 != null) {
                report.checks.add(new Report.Check("p99 at 80% of each server's own saturation ≤ 2× baseline, " + shape.name(),
                        ratio(p99), p99.ratio() <= 2.0));
            }
            Report.Row sameRate = rows.get(section + " / p99" + EchoFanOut.SAME_RATE_LABEL);
            if (sameRate != null) {
                report.checks.add(new Report.Check("p99 at one rate for both (80% of the slower's saturation) ≤ 2× baseline, "
                        + shape.name(), ratio(sameRate), sameRate.ratio() <= 2.0));
            }
        }
        rows.forEach((name, row) -> {
            if (name.startsWith("Idle connections / heap per idle connection,") && !row.baseline().isEmpty()) {
                report.checks.add(new Report.Check("heap per idle connection ≤ 1.25× baseline, "
                        + row.metric().substring("heap per idle connection, ".length()), ratio(row), row.ratio() <= 1.25));
            }
        });
        report.checks.addAll(scenarioChecks);
        long unclean = report.tallies.stream().filter(tally -> !tally.clean()).count();
        report.checks.add(new Report.Check("zero lost or duplicated deliveries in every scenario", report.tallies.size()
                + " tallies, " + unclean + " with losses, duplicates or reordering"
                + (report.problems.isEmpty() ? "" : "; " + report.problems.size() + " problem(s)"), report.allClean()));
    }

    private static String ratio(Report.Row row) {
        return String.format(Locale.ROOT, "%.2f× (%s vs %s)", row.ratio(), Figure.format(row.signalChannel().median()),
                Figure.format(row.baseline().median()));
    }

    private void describeMachine(Map<String, String> machine) {
        report.machine.put("CPU", cpuModel());
        report.machine.put("Cores", String.valueOf(Runtime.getRuntime().availableProcessors()));
        report.machine.put("Memory", memory());
        report.machine.put("OS", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        report.machine.put("JDK", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        report.machine.putAll(machine);
        report.machine.put("Load generator", "in-process Java NIO WebSocket client, " + generator.threads()
                + " selector threads, 16 source addresses 127.0.0.2–17");
        report.machine.put("Date", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        report.machine.put("Load average at the start (1, 5, 15 min)", loadAverage());
    }

    private static String cpuModel() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            return lines.filter(line -> line.startsWith("model name")).findFirst()
                    .map(line -> line.substring(line.indexOf(':') + 1).trim()).orElse("unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static String memory() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/meminfo"))) {
            return lines.filter(line -> line.startsWith("MemTotal")).findFirst()
                    .map(line -> String.format(Locale.ROOT, "%.1f GiB",
                            Long.parseLong(line.replaceAll("\\D", "")) / 1024.0 / 1024.0)).orElse("unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return fields[0] + ", " + fields[1] + ", " + fields[2];
        } catch (IOException e) {
            return "unknown";
        }
    }

    /**
     * Writes the baseline WAR: the classes of {@code co.signalchannel.bench.baseline}, nothing
     * else (no CDI, no descriptor).
     */
    static Path baselineWar(Path testClasses, Path war) throws IOException {
        Path classes = testClasses.resolve("co/signalchannel/bench/baseline");
        Files.createDirectories(war.getParent());
        try (OutputStream file = Files.newOutputStream(war); ZipOutputStream zip = new ZipOutputStream(file);
             Stream<Path> entries = Files.list(classes)) {
            for (Path entry : entries.filter(path -> path.toString().endsWith(".class")).sorted().toList()) {
                zip.putNextEntry(new ZipEntry("WEB-INF/classes/" + testClasses.relativize(entry).toString().replace('\\', '/')));
                Files.copy(entry, zip);
                zip.closeEntry();
            }
        }
        return war;
    }

    /**
     * {@code Bench --war W --payara P --test-classes C --out O [--port 8480] [--payara-version V]
     * [--jfr FILE] [--command TEXT] [--only fan-out,relay,call,churn,scuttlebutt,idle,cluster] [--smoke] [--attach true]}; {@code --name=value} works too, and an empty value
     * means the option is not given.
     */
    public static void main(String[] args) throws Exception {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--smoke")) {
                options.put("smoke", "true");
            } else if (args[i].startsWith("--") && args[i].contains("=")) {
                String value = args[i].substring(args[i].indexOf('=') + 1);
                if (!value.isEmpty()) {
                    options.put(args[i].substring(2, args[i].indexOf('=')), value);
                }
            } else if (args[i].startsWith("--") && i + 1 < args.length) {
                options.put(args[i].substring(2), args[++i]);
            } else {
                throw new IllegalArgumentException("unexpected argument " + args[i]);
            }
        }
        Path out = Path.of(options.getOrDefault("out", "target/bench"));
        int port = Integer.parseInt(options.getOrDefault("port", "8480"));
        Path war = Path.of(required(options, "war"));
        Path baselineWar = baselineWar(Path.of(required(options, "test-classes")), out.resolve("baseline.war"));
        List<String> heap = List.of("-Xms1g", "-Xmx3g");
        List<String> jvm = new ArrayList<>(heap);
        SERVER_SETTINGS.forEach((name, value) -> jvm.add("-D" + name + "=" + value));
        if (options.containsKey("jfr")) {
            jvm.add("-XX:StartFlightRecording=filename=" + Path.of(options.get("jfr")).toAbsolutePath()
                    + ",settings=profile,dumponexit=true");
        }
        // Payara's HTTP worker queue holds 4,096 I/O events by default; thousands of sessions
        // becoming readable at once (connect storms, answers to a heartbeat) overflow it, and the
        // events it refuses are lost. Both servers under test share this setting.
        Path preboot = out.resolve("preboot.asadmin");
        Files.writeString(preboot, "set configs.config.server-config.thread-pools.thread-pool.http-thread-pool"
                + ".max-queue-size=" + HTTP_QUEUE + "\n");
        List<String> micro = List.of("--prebootcommandfile", preboot.toAbsolutePath().toString());
        // The cluster scenario's nodes: the multi-node harness (ServerNode) runs them like this server.
        System.setProperty("payara.microJar", Path.of(required(options, "payara")).toAbsolutePath().toString());
        System.setProperty("servernode.war", war.toAbsolutePath().toString());
        Map<String, String> nodeSettings = new java.util.LinkedHashMap<>();
        SERVER_SETTINGS.forEach((name, value) -> nodeSettings.put(name.substring("signalchannel.".length()), value));
        ClusterNodes.Launch clusterLaunch = new ClusterNodes.Launch(heap, nodeSettings, micro);
        String base = "http://127.0.0.1:" + port + "/";
        Map<String, String> machine = new java.util.LinkedHashMap<>();
        machine.put("Container", "Payara Micro " + options.getOrDefault("payara-version", "?")
                + " (--nocluster --disablephonehome), both WARs in one server, port " + port);
        machine.put("Server JVM options", String.join(" ", jvm));
        machine.put("Payara setting", "http-thread-pool max-queue-size " + HTTP_QUEUE + " (default 4,096)");
        machine.put("Command", options.getOrDefault("command", "mvn -Pbench verify"));
        Report report;
        BenchConfig config = options.containsKey("smoke") ? BenchConfig.smoke() : BenchConfig.full();
        if (options.containsKey("smoke")) {
            machine.put("Size", "the smoke test's (a check that the scenarios run, not figures)");
        }
        Target signalChannel = Target.signalChannel(URI.create(base + "signal-channel/"));
        Target baseline = Target.baseline(URI.create(base + "baseline/"));
        machine.put("Open files limit (generator)", openFiles());
        List<String> only = options.containsKey("only") ? List.of(options.get("only").split(",")) : List.of();
        if (!only.isEmpty()) {
            machine.put("Scenarios", "only " + String.join(", ", only) + " (not a full run)");
        }
        if (!only.isEmpty() && only.stream().allMatch("cluster"::equals)) {
            // the cluster scenario starts servers of its own and needs none of this one
            machine.put("Container", "Payara Micro " + options.getOrDefault("payara-version", "?")
                    + " (--nocluster --disablephonehome), the cluster scenario's nodes only");
            report = run(config, signalChannel, baseline, null, clusterLaunch, machine, only);
        } else if (options.containsKey("attach")) {
            // a server someone else started (while developing the harness): no memory figures
            machine.put("Container", "a running server on port " + port + ", not started by this run");
            machine.remove("Server JVM options");
            report = run(config, signalChannel, baseline, null, clusterLaunch, machine, only);
        } else {
            try (ServerProcess server = ServerProcess.start(Path.of(required(options, "payara")),
                    List.of(war, baselineWar), port, jvm, micro, out.resolve("server.log"),
                    List.of(URI.create(base + "signal-channel/v1/stats"),
                            URI.create("ws://127.0.0.1:" + port + "/baseline/echo/ready")))) {
                report = run(config, signalChannel, baseline, server, clusterLaunch, machine, only);
            }
        }
        report.write(out);
        System.out.println(report.markdown());
        System.out.println("Written to " + out.toAbsolutePath().resolve("report.md") + " and report.json");
        if (!report.allClean()) {
            System.out.println("Not every delivery was accounted for, or a scenario failed: see the report.");
            System.exit(1);
        }
        System.exit(0);
    }

    private static String openFiles() {
        try {
            return Files.readAllLines(Path.of("/proc/self/limits")).stream().filter(line -> line.startsWith("Max open files"))
                    .map(line -> line.replaceAll("\\s+", " ").replace("Max open files ", "")).findFirst().orElse("unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static String required(Map<String, String> options, String name) {
        String value = options.get(name);
        if (value == null) {
            throw new IllegalArgumentException("--" + name + " is required");
        }
        return value;
    }
}
