package co.signalchannel.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import org.junit.jupiter.api.Assumptions;

/**
 * A TURN server of the tests' own: Debian's coturn ({@code turnserver} from the PATH, or the file
 * {@code -Dsignalchannel.turnserver=...} names) as a child process, with coturn's REST credentials ({@code use-auth-secret}, {@code static-auth-secret}: what
 * {@code signalchannel.turn.secret} issues credentials for), speaking TURN over UDP only, and only
 * on one address, which is also its only relay address and the only peer address it relays to:
 * every other IPv4 and IPv6 peer is denied, so nothing it relays can leave this machine. No
 * configuration file is read ({@code -n}), no STUN is answered ({@code --no-stun}: a connection
 * through it can only be a TURN relay), no TCP, TLS, DTLS, CLI or RFC 5780 listener is opened. Its
 * output (verbose: every request with its user and outcome), its pid file and the SQLite file
 * coturn opens even when it needs no database go to {@code target/turn/}.
 *
 * <p>It is ready when it answers an Allocate without credentials with 401: that proves the listener
 * is up and that it asks for credentials. It can be stopped and started again, with another secret,
 * on the same ports.
 */
public final class TurnServer implements AutoCloseable {

    private static final String EXECUTABLE = System.getProperty("signalchannel.turnserver", "turnserver");
    /** The realm coturn announces in its 401 challenges; clients take it from there. */
    public static final String REALM = "signal-channel.test";
    /** How many relay ports it may hand out: one per allocation, one allocation per peer connection and network. */
    public static final int RELAY_PORTS = 16;
    private static final Path DIRECTORY = Path.of("target", "turn");
    private static final Duration START_WAIT = Duration.ofSeconds(20);
    private static final Duration STOP_WAIT = Duration.ofSeconds(10);
    /** The address the test network namespace of .ci/run and WEBRTC-TESTING.md gives its veth. */
    private static final String NAMESPACE_ADDRESS = "198.18.0.1";

    private final InetAddress address;
    private final int port;
    private ChildProcess process;
    private String secret;
    private Path log;
    private int starts;

    private TurnServer(InetAddress address, int port) {
        this.address = address;
        this.port = port;
    }

    /**
     * Skips the calling test (a JUnit assumption) when {@code turnserver} is not on the PATH, saying
     * how to install it.
     */
    public static void assumeInstalled() {
        boolean installed = installed();
        String missing = (EXECUTABLE.contains(File.separator)
                ? EXECUTABLE + " is not an executable file"
                : EXECUTABLE + " is not on the PATH (" + System.getenv("PATH") + ")")
                + ": the TURN test needs coturn's turnserver (Debian/Ubuntu: apt-get install coturn, and keep"
                + " its own service disabled; elsewhere point -Dsignalchannel.turnserver at it)";
        if (!installed && !warned) {
            warned = true;
            System.err.println("WARNING: TURN test skipped: " + missing);
        }
        Assumptions.assumeTrue(installed, missing);
    }

    private static volatile boolean warned;

    private static boolean installed() {
        if (EXECUTABLE.contains(File.separator)) {
            return Files.isExecutable(Path.of(EXECUTABLE));
        }
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

    /**
     * The address the tests' TURN server should use: the system property
     * {@code signalchannel.turnserver.address} when set; else {@value #NAMESPACE_ADDRESS} when this
     * machine has it, as inside the network namespace of {@code .ci/run}, where Chromium binds its
     * sockets to it and nothing leaves the namespace; else 127.0.0.1, as on a developer's machine:
     * with relay-only ICE Chromium sends to the TURN server alone, which it reaches on loopback from
     * whatever interface it bound (coturn is then told to allow loopback peers).
     */
    public static InetAddress testAddress() {
        try {
            String configured = System.getProperty("signalchannel.turnserver.address", "");
            if (!configured.isBlank()) {
                return InetAddress.getByName(configured.strip());
            }
            InetAddress namespace = InetAddress.getByName(NAMESPACE_ADDRESS);
            for (NetworkInterface network : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (network.isUp() && Collections.list(network.getInetAddresses()).contains(namespace)) {
                    return namespace;
                }
            }
            return InetAddress.getByName("127.0.0.1");
        } catch (UnknownHostException | SocketException e) {
            throw new IllegalStateException("cannot choose the TURN server's address", e);
        }
    }

    /**
     * A server on {@code address}, its ports chosen now, so that its URL can go into a deployment
     * made before it starts, and kept across restarts; not started: see {@link #start(String)}.
     */
    public static TurnServer on(InetAddress address) {
        if (!(address instanceof Inet4Address)) {
            throw new IllegalArgumentException("the TURN test server takes an IPv4 address, got " + address);
        }
        try {
            return new TurnServer(address, LoopbackPorts.freeUdpRange(address, 1 + RELAY_PORTS));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Starts the server with {@code secret} as its {@code static-auth-secret} and returns once it
     * answers an unauthenticated Allocate with 401. Each start logs to a file of its own,
     * {@code target/turn/turnserver-PORT-N.log}.
     */
    public synchronized void start(String secret) throws IOException, InterruptedException {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException(EXECUTABLE + " on " + url() + " is already running");
        }
        Files.createDirectories(DIRECTORY);
        this.secret = secret;
        this.log = DIRECTORY.resolve("turnserver-" + port + "-" + ++starts + ".log");
        String host = address.getHostAddress();
        // --verbose: each request it processes is logged with its user and outcome (logText)
        List<String> command = new ArrayList<>(List.of(EXECUTABLE, "-n", "--verbose", "--new-log-timestamp",
                "--listening-ip=" + host, "--listening-port=" + port,
                "--relay-ip=" + host, "--min-port=" + minRelayPort(), "--max-port=" + maxRelayPort(),
                "--no-tcp", "--no-tls", "--no-dtls", "--no-tcp-relay", "--no-stun", "--no-rfc5780", "--no-cli",
                "--use-auth-secret", "--static-auth-secret=" + secret, "--realm=" + REALM,
                // coturn lets an allowed peer through before it looks at the denied ranges
                "--allowed-peer-ip=" + host,
                "--denied-peer-ip=0.0.0.0-255.255.255.255",
                "--denied-peer-ip=::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
                "--log-file=stdout",
                "--pidfile=" + DIRECTORY.resolve("turnserver-" + port + ".pid").toAbsolutePath(),
                "--db=" + DIRECTORY.resolve("turnserver-" + port + ".sqlite").toAbsolutePath()));
        if (address.isLoopbackAddress()) {
            // coturn refuses loopback peers before it reads the allowed list
            command.add("--allow-loopback-peers");
        }
        process = ChildProcess.start(command, log);
        long deadline = System.nanoTime() + START_WAIT.toNanos();
        Integer answer = null;
        while (answer == null) {
            if (!process.isAlive()) {
                throw new IOException(EXECUTABLE + " on " + url() + " exited with " + process.exitValue()
                        + " while starting; the end of " + log + ":\n" + process.tail(20));
            }
            if (System.nanoTime() > deadline) {
                process.kill();
                throw new IOException(EXECUTABLE + " on " + url() + " did not answer an Allocate within "
                        + START_WAIT + "; killed it; the end of " + log + ":\n" + process.tail(20));
            }
            answer = allocateWithoutCredentials(Duration.ofMillis(250));
        }
        if (answer != 401) {
            process.kill();
            throw new IOException(EXECUTABLE + " on " + url() + " answered an Allocate without credentials with "
                    + answer + ", not 401: it does not ask for credentials; killed it; see " + log);
        }
    }

    /**
     * Sends a TURN Allocate request (RFC 8656) without credentials and returns the error code of the
     * answer (0 for a success), or null when nothing answered within {@code wait}.
     */
    private Integer allocateWithoutCredentials(Duration wait) throws IOException {
        byte[] transaction = new byte[12];
        ThreadLocalRandom.current().nextBytes(transaction);
        ByteBuffer request = ByteBuffer.allocate(28)
                .putShort((short) 0x0003).putShort((short) 8).putInt(0x2112A442).put(transaction)
                // REQUESTED-TRANSPORT: UDP
                .putShort((short) 0x0019).putShort((short) 4).put((byte) 17).put(new byte[3]);
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(address, 0))) {
            socket.setSoTimeout((int) wait.toMillis());
            socket.send(new DatagramPacket(request.array(), 28, address, port));
            byte[] buffer = new byte[1500];
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            long deadline = System.nanoTime() + wait.toNanos();
            while (System.nanoTime() < deadline) {
                try {
                    socket.receive(packet);
                } catch (SocketTimeoutException silent) {
                    return null;
                }
                ByteBuffer response = ByteBuffer.wrap(buffer, 0, packet.getLength());
                if (packet.getLength() < 20 || !Arrays.equals(buffer, 8, 20, transaction, 0, 12)) {
                    continue;
                }
                int type = response.getShort(0) & 0xffff;
                if (type == 0x0103) {
                    return 0;
                }
                if (type == 0x0113) {
                    return errorCode(response);
                }
            }
            return null;
        }
    }

    /** The ERROR-CODE attribute of a STUN error response: class × 100 + number; -1 when there is none. */
    private static int errorCode(ByteBuffer response) {
        int position = 20;
        while (position + 4 <= response.limit()) {
            int type = response.getShort(position) & 0xffff;
            int length = response.getShort(position + 2) & 0xffff;
            if (type == 0x0009 && length >= 4) {
                return (response.get(position + 6) & 0x07) * 100 + (response.get(position + 7) & 0xff);
            }
            position += 4 + (length + 3) / 4 * 4;
        }
        return -1;
    }

    /** {@code turn:ADDRESS:PORT?transport=udp}, as {@code signalchannel.turn.urls} names it. */
    public String url() {
        return "turn:" + address.getHostAddress() + ":" + port + "?transport=udp";
    }

    public InetAddress address() {
        return address;
    }

    public int port() {
        return port;
    }

    public int minRelayPort() {
        return port + 1;
    }

    public int maxRelayPort() {
        return port + RELAY_PORTS;
    }

    /** The log of the last start. */
    public synchronized Path log() {
        return log;
    }

    /** The secret of the last start. */
    public synchronized String secret() {
        return secret;
    }

    /** Whether it is running. */
    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Everything the server has logged since its last start. */
    public synchronized String logText() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops the server (SIGTERM, then SIGKILL if it lingers) if it is running. */
    @Override
    public synchronized void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.terminate(STOP_WAIT);
        }
    }
}
