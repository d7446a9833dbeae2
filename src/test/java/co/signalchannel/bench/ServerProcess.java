package co.signalchannel.bench;

import co.signalchannel.testing.PageOrigin;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Payara Micro process the full run starts: signal-channel's WAR and the baseline's WAR
 * deployed side by side, listening on 127.0.0.1's port only through loopback clients. Also reads
 * the process's memory and CPU, which only the process's owner can.
 */
final class ServerProcess implements AutoCloseable {

    private static final Pattern HISTOGRAM_TOTAL = Pattern.compile("(?m)^Total\\s+(\\d+)\\s+(\\d+)\\s*$");
    private static final Pattern RSS = Pattern.compile("(?m)^VmRSS:\\s+(\\d+)\\s+kB");
    private static final long CLOCK_TICKS_PER_SECOND = 100; // Linux USER_HZ

    private final Process process;
    private final Path log;

    private ServerProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /**
     * Starts Payara Micro with both WARs (context roots from their file names) and waits until
     * both answer.
     */
    static ServerProcess start(Path payaraMicro, List<Path> wars, int port, List<String> jvmOptions,
                               List<String> microOptions, Path log, List<URI> readiness)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-jar");
        command.add(payaraMicro.toString());
        for (Path war : wars) {
            command.add("--deploy");
            command.add(war.toString());
        }
        command.addAll(List.of("--port", String.valueOf(port), "--nocluster", "--disablephonehome"));
        command.addAll(microOptions);
        Files.createDirectories(log.getParent());
        Files.writeString(log, String.join(" ", command) + "\n\n", StandardCharsets.UTF_8);
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        ServerProcess server = new ServerProcess(process, log);
        Runtime.getRuntime().addShutdownHook(new Thread(server::close));
        try {
            server.awaitReady(readiness, Duration.ofMinutes(4));
        } catch (IOException | RuntimeException | InterruptedException e) {
            server.close();
            throw e;
        }
        return server;
    }

    private void awaitReady(List<URI> readiness, Duration wait) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2)).build();
        for (URI uri : readiness) {
            while (true) {
                if (!process.isAlive()) {
                    throw new IOException("Payara Micro exited with " + process.exitValue() + "; see " + log);
                }
                if (answers(http, uri)) {
                    break;
                }
                if (System.nanoTime() > deadline) {
                    throw new IOException(uri + " did not answer within " + wait + "; see " + log);
                }
                Thread.sleep(500);
            }
        }
    }

    private static boolean answers(HttpClient http, URI uri) throws InterruptedException {
        try {
            if (uri.getScheme().startsWith("ws")) {
                WebSocket socket = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(2)).header("Origin", PageOrigin.of(uri))
                        .buildAsync(uri, new WebSocket.Listener() { }).get(5, TimeUnit.SECONDS);
                socket.abort();
                return true;
            }
            // sendAsync with a bounded wait: a request caught by a server still starting may never be answered
            return http.sendAsync(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.discarding()).get(10, TimeUnit.SECONDS).statusCode() == 200;
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            return false;
        }
    }

    long pid() {
        return process.pid();
    }

    /**
     * Bytes of live objects on the server's heap, read by {@code jcmd GC.class_histogram}, which
     * runs a full collection first.
     */
    long liveHeapBytes() throws IOException, InterruptedException {
        String histogram = jcmd("GC.class_histogram");
        Matcher total = HISTOGRAM_TOTAL.matcher(histogram);
        if (!total.find()) {
            throw new IOException("no total in the class histogram: " + histogram.lines().limit(5).toList());
        }
        return Long.parseLong(total.group(2));
    }

    /** Resident set size of the server process, in bytes. */
    long rssBytes() throws IOException {
        Matcher rss = RSS.matcher(Files.readString(Path.of("/proc", String.valueOf(pid()), "status")));
        if (!rss.find()) {
            throw new IOException("no VmRSS for process " + pid());
        }
        return Long.parseLong(rss.group(1)) * 1024;
    }

    /** CPU time (user + system) the server process has used, in nanoseconds. */
    long cpuNanos() throws IOException {
        return cpuNanos(pid());
    }

    /** CPU time (user + system) process {@code pid} has used, in nanoseconds, from /proc/PID/stat. */
    static long cpuNanos(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime
        return ticks * (1_000_000_000L / CLOCK_TICKS_PER_SECOND);
    }

    private String jcmd(String command) throws IOException, InterruptedException {
        Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                String.valueOf(pid()), command).redirectErrorStream(true).start();
        byte[] output = jcmd.getInputStream().readAllBytes();
        if (!jcmd.waitFor(2, TimeUnit.MINUTES) || jcmd.exitValue() != 0) {
            throw new IOException("jcmd " + command + " failed: " + new String(output, StandardCharsets.UTF_8));
        }
        return new String(output, StandardCharsets.UTF_8);
    }

    /** Stops the server (SIGTERM, so a flight recording is written), killing it if it lingers. */
    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
