package co.signalchannel.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import jakarta.json.JsonObject;

/**
 * One signal-channel server as a process of its own, for tests that need several nodes and need to
 * kill them: Payara Micro ({@code target/container/payara-micro.jar}) serving the WAR that
 * {@code mvn package} builds at the context root, on a free port addressed on 127.0.0.1 (never
 * it.port, where the in-container tests' server listens). Its settings are passed as
 * {@code -Dsignalchannel.<key>=<value>}, and they are its only ones: no {@code SIGNALCHANNEL_*}
 * environment variable of the test run reaches it. Its output goes to
 * {@code target/cluster-nodes/NAME.log}.
 *
 * <p>It runs with the same Payara Micro options as the quick start and the in-container tests
 * (the pom's {@code payara.micro.options}), which must hold {@code --nocluster}: several Payara
 * Micro processes on one machine would otherwise find each other by multicast. (Each still starts a
 * Hazelcast member of its own, listening on 6900 or the next free port up, which looks for no one.)
 *
 * <p>Test classes that start nodes carry {@code @Tag(ServerNode.TAG)}: the WildFly and Tomcat runs
 * leave them out (they would only test Payara again) but for those also tagged
 * {@code cluster-with-container}, which have the server under test join a cluster with a node
 * ({@code MixedClusterIT}); {@code -Dit.excludedGroups=cluster} skips them all anywhere.
 */
public final class ServerNode implements AutoCloseable {

    /** The JUnit tag of the multi-node test classes. */
    public static final String TAG = "cluster";

    /** Where nodes (and {@link RedisServer}s) keep their logs and working files. */
    static final Path DIRECTORY = Path.of("target", "cluster-nodes");

    /**
     * How long a node may take to answer: Payara Micro boots in 20 to 40 s alone on a 2-core machine,
     * and nodes started together share those cores with each other and with the rest of the build.
     */
    private static final Duration BOOT_WAIT = Duration.ofMinutes(3);
    private static final Duration STOP_WAIT = Duration.ofSeconds(60);
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    /** The names of the nodes running in this JVM, each with the claim of the start that took it. */
    private static final Map<String, Object> NAMES_IN_USE = new ConcurrentHashMap<>();

    /** The JVM options of a node whose {@link Spec} names none. */
    static final List<String> DEFAULT_JVM_OPTIONS = List.of("-Xmx1g");

    /**
     * What to start: a name (unique among the running nodes, used for the log and working directory)
     * and signal-channel settings without their {@code signalchannel.} prefix, e.g.
     * {@code cluster.redis → redis://127.0.0.1:P}; the JVM's options ({@code -Xmx1g} unless given:
     * the benchmark gives its nodes the heap of its single server), and Payara Micro options added
     * to the usual ones (e.g. {@code --prebootcommandfile F}).
     */
    public record Spec(String name, Map<String, String> settings, List<String> jvmOptions, List<String> microOptions) {
        public Spec {
            if (!NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("node name " + name + " must match " + NAME
                        + ": it names a file and a directory");
            }
            settings = Collections.unmodifiableMap(new LinkedHashMap<>(settings));
            jvmOptions = List.copyOf(jvmOptions);
            microOptions = List.copyOf(microOptions);
        }

        public Spec(String name, Map<String, String> settings) {
            this(name, settings, DEFAULT_JVM_OPTIONS, List.of());
        }
    }

    private final Spec spec;
    private final int port;
    private final ChildProcess process;
    private final Path log;
    private final Endpoints endpoints;

    private ServerNode(Spec spec, int port, ChildProcess process, Path log) {
        this.spec = spec;
        this.port = port;
        this.process = process;
        this.log = log;
        this.endpoints = Endpoints.at(URI.create("http://127.0.0.1:" + port + "/"));
    }

    /** Starts one node and returns once it answers {@code GET /v1/stats} with 200. */
    public static ServerNode start(String name, Map<String, String> settings) throws IOException, InterruptedException {
        return start(new Spec(name, settings));
    }

    /** Starts one node and returns once it answers {@code GET /v1/stats} with 200. */
    public static ServerNode start(Spec spec) throws IOException, InterruptedException {
        Path payara = Path.of(System.getProperty("payara.microJar", "target/container/payara-micro.jar"));
        Path war = Path.of(System.getProperty("servernode.war", "target/signal-channel.war"));
        require(payara, "the pom's dependency plugin copies it there (process-test-resources)");
        require(war, "mvn package builds it");
        List<String> options = Arrays.asList(
                System.getProperty("payara.micro.options", "--nocluster --disablephonehome").trim().split("\\s+"));
        if (!options.contains("--nocluster")) {
            throw new IllegalStateException("payara.micro.options " + options + " lack --nocluster:"
                    + " the nodes would look for each other by multicast");
        }
        Object claim = new Object();
        if (NAMES_IN_USE.putIfAbsent(spec.name(), claim) != null) {
            throw new IllegalStateException("a node named " + spec.name() + " is already running");
        }
        try {
            int port = LoopbackPorts.free();
            Path root = DIRECTORY.resolve(spec.name());
            Path log = DIRECTORY.resolve(spec.name() + ".log");
            deleteRecursively(root);
            Files.deleteIfExists(log);
            Files.createDirectories(root);
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(spec.jvmOptions());
            spec.settings().forEach((key, value) -> command.add("-Dsignalchannel." + key + "=" + value));
            command.addAll(List.of("-jar", payara.toAbsolutePath().toString(),
                    "--deploy", war.toAbsolutePath().toString(), "--contextroot", "/",
                    "--port", String.valueOf(port)));
            command.addAll(options);
            command.addAll(spec.microOptions());
            // Payara Micro unpacks its runtime (about 100 MB) into the root directory: one per node, so
            // that nodes share no configuration, and under target/, so that a killed node leaves nothing
            // in /tmp (the next start of the same name wipes it).
            command.addAll(List.of("--rootdir", root.toAbsolutePath().toString()));
            ProcessBuilder builder = new ProcessBuilder(command);
            // a node has only the settings of its Spec: one exported in the shell that runs the tests
            // (SIGNALCHANNEL_CLUSTER_REDIS, say) would otherwise reach every node
            builder.environment().keySet().removeIf(variable -> variable.startsWith("SIGNALCHANNEL_"));
            ServerNode node = new ServerNode(spec, port, ChildProcess.start(builder, log), log);
            node.process.whenEnded(() -> NAMES_IN_USE.remove(spec.name(), claim));
            try {
                node.awaitReady();
            } catch (IOException | RuntimeException | InterruptedException | Error e) {
                node.process.kill();
                throw e;
            }
            return node;
        } catch (IOException | RuntimeException | InterruptedException | Error e) {
            NAMES_IN_USE.remove(spec.name(), claim);
            throw e;
        }
    }

    /**
     * Starts the nodes at once, which takes about as long as the slowest rather than the sum, and
     * returns them in the order of {@code specs} once every one answers. If any fails to start, the
     * others are killed and the first failure is thrown.
     */
    public static List<ServerNode> startAll(List<Spec> specs) throws IOException, InterruptedException {
        ExecutorService starters = Executors.newFixedThreadPool(Math.max(1, specs.size()));
        try {
            List<Future<ServerNode>> starting = new ArrayList<>();
            for (Spec spec : specs) {
                starting.add(starters.submit(() -> start(spec)));
            }
            List<ServerNode> started = new ArrayList<>();
            Throwable failure = null;
            for (Future<ServerNode> node : starting) {
                try {
                    started.add(node.get());
                } catch (ExecutionException e) {
                    if (failure == null) {
                        failure = e.getCause();
                    } else {
                        failure.addSuppressed(e.getCause());
                    }
                }
            }
            if (failure != null) {
                for (ServerNode node : started) {
                    node.close();
                }
                if (failure instanceof IOException io) {
                    throw io;
                }
                if (failure instanceof RuntimeException runtime) {
                    throw runtime;
                }
                if (failure instanceof Error error) {
                    throw error;
                }
                throw new IOException(failure);
            }
            return started;
        } finally {
            // if interrupted: the nodes still starting are killed by their starters, those already
            // started by the shutdown hook of ChildProcess
            starters.shutdownNow();
        }
    }

    private static void require(Path file, String how) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException(file.toAbsolutePath() + " is missing; " + how);
        }
    }

    private static void deleteRecursively(Path directory) throws IOException {
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
    }

    private void awaitReady() throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + BOOT_WAIT.toNanos();
        while (!answers(http)) {
            if (!process.isAlive()) {
                throw new IOException("node " + name() + " (Payara Micro) exited with " + process.exitValue()
                        + " while starting; the end of " + log + ":\n" + process.tail(30));
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("node " + name() + " did not answer " + http("v1/stats") + " within "
                        + BOOT_WAIT + "; killed it; the end of " + log + ":\n" + process.tail(30));
            }
            Thread.sleep(250);
        }
    }

    private boolean answers(HttpClient http) throws InterruptedException {
        try {
            // a bounded wait of our own: a request caught by a server still starting may never be answered
            return http.sendAsync(HttpRequest.newBuilder(http("v1/stats")).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.discarding()).get(10, TimeUnit.SECONDS).statusCode() == 200;
        } catch (ExecutionException | TimeoutException notYet) {
            return false;
        }
    }

    public String name() {
        return spec.name();
    }

    public Spec spec() {
        return spec;
    }

    public int port() {
        return port;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The node's standard output and error. */
    public Path log() {
        return log;
    }

    /** The node's addresses, with the waits for sessions the in-container tests use. */
    public Endpoints endpoints() {
        return endpoints;
    }

    /** {@code ws://127.0.0.1:PORT/v1/{endpoint}/{namespace}}, the namespace percent-encoded. */
    public URI ws(String endpoint, String namespace) {
        return endpoints.ws(endpoint, namespace);
    }

    /** {@code http://127.0.0.1:PORT/} followed by {@code path} (no leading slash). */
    public URI http(String path) {
        return endpoints.http(path);
    }

    /** The node's {@code /v1/stats} document. */
    public JsonObject stats() throws IOException, InterruptedException {
        return endpoints.stats();
    }

    /**
     * Kills the node with SIGKILL, as {@code kill -9} or a lost machine would: no shutdown runs, no
     * session is closed. Returns once the process is gone and its port refuses connections.
     */
    public void kill() throws InterruptedException {
        process.kill();
    }

    /**
     * Stops the node as an operator would (SIGTERM): Payara undeploys the application, which closes
     * its sessions. Returns once the process has exited; fails if it took longer than a minute.
     */
    public void stop() throws InterruptedException {
        if (process.isAlive()) {
            process.terminate(STOP_WAIT);
        }
    }

    /** Kills the node if it still runs; a test of the normal shutdown calls {@link #stop} itself. */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.kill();
        }
    }

    @Override
    public String toString() {
        return "node " + name() + " on port " + port;
    }
}
