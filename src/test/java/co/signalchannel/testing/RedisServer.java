package co.signalchannel.testing;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Assumptions;

/**
 * A {@code redis-server} of its own for the multi-node tests (Debian's, from the PATH), on a free
 * loopback port, keeping nothing on disk. It is the tests' to stop, restart and pause; the machine's
 * shared Redis on 6379 is never touched. Its output goes to {@code target/cluster-nodes/redis-PORT.log}.
 *
 * <p>Readiness and {@link #answersPing} speak RESP over a bare socket, so that the tests judge
 * Redis by what a client sees without bringing a Redis client of their own.
 */
public final class RedisServer implements AutoCloseable {

    private static final String EXECUTABLE = "redis-server";
    private static final Duration START_WAIT = Duration.ofSeconds(20);
    private static final Duration STOP_WAIT = Duration.ofSeconds(20);
    private static final Duration PING_WAIT = Duration.ofSeconds(1);

    private final int port;
    private final List<String> options;
    private final Path directory;
    private final Path log;
    /** A Sentinel's configuration file, written before each start; null for a plain server. */
    private final List<String> configuration;
    private ChildProcess process;
    private boolean paused;

    private RedisServer(int port, List<String> options, List<String> configuration) {
        this.port = port;
        this.options = options;
        this.configuration = configuration;
        this.directory = ServerNode.DIRECTORY.resolve("redis-" + port);
        this.log = ServerNode.DIRECTORY.resolve("redis-" + port + ".log");
    }

    /**
     * Skips the calling test (a JUnit assumption) when {@code redis-server} is not on the PATH,
     * saying how to install it.
     */
    public static void assumeInstalled() {
        Assumptions.assumeTrue(installed(), () -> EXECUTABLE + " is not on the PATH (" + System.getenv("PATH")
                + "): the multi-node tests need Debian's redis-server (apt-get install redis-server)");
    }

    /** Whether {@code redis-server} is on the PATH (for callers outside JUnit, such as the benchmark). */
    public static boolean isInstalled() {
        return installed();
    }

    private static boolean installed() {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String directory : path.split(File.pathSeparator)) {
            if (!directory.isEmpty() && Files.isExecutable(Path.of(directory, EXECUTABLE))) {
                return true;
            }
        }
        return false;
    }

    /** Starts a new server on a free port and returns once it answers PING. */
    public static RedisServer startOnFreePort() throws IOException, InterruptedException {
        return startOnFreePort(List.of());
    }

    /** The same, with more options for {@code redis-server} (a Redis Cluster node's, say). */
    static RedisServer startOnFreePort(List<String> options) throws IOException, InterruptedException {
        RedisServer server = new RedisServer(LoopbackPorts.free(), options, null);
        server.start();
        return server;
    }

    /**
     * A Sentinel ({@code redis-server FILE --sentinel}) on a free port, its configuration file written
     * in its working directory with {@code configuration}'s lines, and rewritten there by Sentinel
     * as it learns; returns once it answers PING.
     */
    static RedisServer startSentinelOnFreePort(List<String> configuration) throws IOException, InterruptedException {
        RedisServer server = new RedisServer(LoopbackPorts.free(), List.of(), configuration);
        server.start();
        return server;
    }

    /**
     * Starts the server again on the same port, empty (nothing is persisted), after {@link #stop}
     * or {@link #close}; returns once it answers PING.
     */
    public synchronized void start() throws IOException, InterruptedException {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("redis-server on port " + port + " is already running");
        }
        Files.createDirectories(directory);
        List<String> command = new ArrayList<>(List.of(EXECUTABLE));
        if (configuration != null) {
            Path file = directory.resolve("sentinel.conf").toAbsolutePath();
            Files.write(file, configuration, StandardCharsets.UTF_8);
            command.addAll(List.of(file.toString(), "--sentinel"));
        }
        command.addAll(List.of(
                "--port", String.valueOf(port),
                "--bind", "127.0.0.1",
                "--save", "",
                "--appendonly", "no",
                "--protected-mode", "no",
                "--daemonize", "no",
                "--dir", directory.toAbsolutePath().toString(),
                "--logfile", ""));
        command.addAll(options);
        process = ChildProcess.start(command, log);
        paused = false;
        long deadline = System.nanoTime() + START_WAIT.toNanos();
        while (!answersPing(PING_WAIT)) {
            if (!process.isAlive()) {
                throw new IOException("redis-server on port " + port + " exited with " + process.exitValue()
                        + " while starting; the end of " + log + ":\n" + process.tail(20));
            }
            if (System.nanoTime() > deadline) {
                process.kill();
                throw new IOException("redis-server on port " + port + " did not answer PING within "
                        + START_WAIT + "; killed it; the end of " + log + ":\n" + process.tail(20));
            }
            Thread.sleep(20);
        }
    }

    public int port() {
        return port;
    }

    /** The running server's process id (the benchmark reads its CPU time from /proc). */
    public synchronized long pid() {
        requireRunning("read the process id of");
        return process.pid();
    }

    /** {@code redis://127.0.0.1:PORT}, for the nodes' {@code signalchannel.cluster.redis}. */
    public URI uri() {
        return URI.create("redis://127.0.0.1:" + port);
    }

    public Path log() {
        return log;
    }

    /**
     * Whether the server answers {@code PING} with {@code +PONG} within {@code wait}: false while it
     * is stopped (the connection is refused) and while it is paused (the kernel still accepts the
     * connection, but no answer comes).
     */
    public boolean answersPing(Duration wait) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), (int) wait.toMillis());
            socket.setSoTimeout((int) wait.toMillis());
            socket.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            return "+PONG".equals(readLine(socket.getInputStream()));
        } catch (IOException refusedOrSilent) {
            return false;
        }
    }

    /**
     * Sends one inline command and returns its reply's text (a status, or a bulk string's content),
     * or null if the server did not answer within {@code wait}.
     */
    String ask(String command, Duration wait) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), (int) wait.toMillis());
            socket.setSoTimeout((int) wait.toMillis());
            socket.getOutputStream().write((command + "\r\n").getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            String first = readLine(in);
            if (!first.startsWith("$")) {
                return first;
            }
            int length = Integer.parseInt(first.substring(1));
            in.read(); // the '\n' of the line's "\r\n"
            return length < 0 ? "" : new String(in.readNBytes(length), StandardCharsets.UTF_8);
        } catch (IOException | NumberFormatException refusedOrSilent) {
            return null;
        }
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int b = in.read(); b != '\r' && b != '\n'; b = in.read()) {
            if (b < 0 || line.length() > 512) {
                return line.toString();
            }
            line.append((char) b);
        }
        return line.toString();
    }

    /**
     * Stops the server as an operator would (SIGTERM) and waits until it has exited; a paused server
     * is resumed first so that it can act on the signal.
     */
    public synchronized void stop() throws IOException, InterruptedException {
        requireRunning("stop");
        if (paused) {
            resume();
        }
        process.terminate(STOP_WAIT);
    }

    /**
     * Freezes the server with SIGSTOP, as a long GC pause or a stalled VM would: connections stay
     * open and new ones are still accepted by the kernel, but nothing is answered until {@link #resume}.
     */
    public synchronized void pause() throws IOException, InterruptedException {
        requireRunning("pause");
        process.signal("STOP", true);
        paused = true;
    }

    /** Lets a paused server run again (SIGCONT); what clients sent meanwhile is then answered. */
    public synchronized void resume() throws IOException, InterruptedException {
        requireRunning("resume");
        process.signal("CONT", false);
        paused = false;
    }

    private void requireRunning(String action) {
        if (process == null || !process.isAlive()) {
            throw new IllegalStateException("cannot " + action + " redis-server on port " + port + ": it is not running");
        }
    }

    /** Kills the server (SIGKILL, which also ends a paused one) if it is running. */
    @Override
    public synchronized void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.kill();
        }
        paused = false;
    }
}
