package co.signalchannel.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A server the tests run as a child of the test JVM ({@link RedisServer}, {@link ServerNode},
 * {@link TurnServer}), its output appended to a log file. Whatever is still running when the test
 * JVM exits is killed, so that a failed or interrupted run leaves no server holding a port.
 */
final class ChildProcess {

    private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(Process::destroyForcibly),
                "harness child processes"));
    }

    private final Process process;
    private final Path log;

    private ChildProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** Starts {@code command}, its standard output and error appended to {@code log} after a line naming the command. */
    static ChildProcess start(List<String> command, Path log) throws IOException {
        return start(new ProcessBuilder(command), log);
    }

    /** Starts what {@code builder} describes, its output redirected to {@code log} as {@link #start(List, Path)} does. */
    static ChildProcess start(ProcessBuilder builder, Path log) throws IOException {
        Files.createDirectories(log.toAbsolutePath().getParent());
        String shown = builder.command().stream().map(word -> word.isEmpty() || word.contains(" ") ? '"' + word + '"' : word)
                .collect(Collectors.joining(" "));
        Files.writeString(log, "$ " + shown + "\n\n", StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        Process process = builder.redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        RUNNING.add(process);
        process.onExit().thenRun(() -> RUNNING.remove(process));
        return new ChildProcess(process, log);
    }

    /** Runs {@code action} once the process has ended, however it ended. */
    void whenEnded(Runnable action) {
        process.onExit().thenRun(action);
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** The exit status; only once the process has ended. */
    int exitValue() {
        return process.exitValue();
    }

    /**
     * Sends SIGTERM and waits up to {@code grace} for the process to end; if it has not, kills it
     * and says so, since a server that ignores SIGTERM is what a test of its normal shutdown must
     * not pass over.
     */
    void terminate(Duration grace) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
            kill();
            throw new IllegalStateException("process " + pid() + " did not exit within " + grace
                    + " of SIGTERM and was killed; see " + log);
        }
    }

    /** Sends SIGKILL and waits for the process to be gone, its sockets closed by the kernel. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("process " + pid() + " still running 30 s after SIGKILL");
        }
    }

    /**
     * Sends a signal the Process API has no method for (STOP, CONT) with {@code kill(1)}, then
     * waits until /proc shows the process stopped or running again: delivery is asynchronous,
     * and a test that pauses a server must not go on before it is paused.
     */
    void signal(String name, boolean stops) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, String.valueOf(pid())).redirectErrorStream(true).start();
        String output = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (kill.waitFor() != 0) {
            throw new IOException("kill -" + name + " " + pid() + " failed: " + output);
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (isStopped() != stops) {
            if (System.nanoTime() > deadline) {
                throw new IOException("process " + pid() + " not " + (stops ? "stopped" : "running")
                        + " 10 s after SIG" + name);
            }
            Thread.sleep(10);
        }
    }

    /** Whether the process is stopped by a signal ("T" in /proc/PID/stat). */
    private boolean isStopped() throws IOException {
        String stat = Files.readAllLines(Path.of("/proc", String.valueOf(pid()), "stat")).get(0);
        return stat.charAt(stat.lastIndexOf(')') + 2) == 'T';
    }

    /** The last lines of the log, for a failure message a person can act on without opening the file. */
    String tail(int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(log " + log + " unreadable: " + e + ")";
        }
    }
}
