package co.signalchannel.testing;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports for the servers the tests start as processes of their own (the multi-node harness, the
 * TURN server).
 *
 * <p>They are taken below the kernel's ephemeral range (ip_local_port_range, 32768 up by default),
 * not from it as binding port 0 would: a server the tests stop and start again keeps its port, and
 * while it is down a client reconnecting to it must neither find the port taken as the local end
 * of some outgoing connection nor, picking that very port as its own local end, connect to
 * itself. The in-container tests' ports (it.port, 8080 by default, with its offsets) lie far
 * below. A port is never handed out twice in one test JVM, even once its server has ended.
 */
final class LoopbackPorts {

    private static final int LOWEST = 20_000;
    private static final int HIGHEST_WANTED = 30_000;
    private static final Set<Integer> HANDED_OUT = new HashSet<>();

    private LoopbackPorts() {
    }

    /**
     * A port no socket listens on now, on any address: Payara Micro binds its HTTP port on the
     * wildcard address, so a port taken on any interface would fail it.
     */
    static synchronized int free() throws IOException {
        int above = Math.min(HIGHEST_WANTED, ephemeralLow());
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(LOWEST, above);
            if (!HANDED_OUT.contains(port) && bindable(port)) {
                HANDED_OUT.add(port);
                return port;
            }
        }
        throw new IOException("no free port between " + LOWEST + " and " + above + " after 200 tries");
    }

    /**
     * The first of {@code count} consecutive ports that no UDP socket holds on {@code address} (or on
     * the wildcard address) now: a TURN server's listening port followed by its relay ports
     * ({@link TurnServer}). None of them is handed out again in this JVM.
     */
    static synchronized int freeUdpRange(InetAddress address, int count) throws IOException {
        int above = Math.min(HIGHEST_WANTED, ephemeralLow()) - count;
        for (int attempt = 0; attempt < 200; attempt++) {
            int first = ThreadLocalRandom.current().nextInt(LOWEST, above);
            boolean free = true;
            for (int port = first; free && port < first + count; port++) {
                free = !HANDED_OUT.contains(port) && udpBindable(address, port);
            }
            if (free) {
                for (int port = first; port < first + count; port++) {
                    HANDED_OUT.add(port);
                }
                return first;
            }
        }
        throw new IOException("no " + count + " consecutive free UDP ports on " + address.getHostAddress()
                + " between " + LOWEST + " and " + above + " after 200 tries");
    }

    private static boolean udpBindable(InetAddress address, int port) {
        try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress(address, port))) {
            return true;
        } catch (IOException taken) {
            return false;
        }
    }

    private static boolean bindable(int port) {
        try (ServerSocket probe = new ServerSocket(port)) {
            return true;
        } catch (IOException taken) {
            return false;
        }
    }

    private static int ephemeralLow() {
        try {
            // line by line: Files.readString reads only the first byte of a sysctl file (JDK 17)
            String range = Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0).trim();
            int low = Integer.parseInt(range.split("\\s+")[0]);
            if (low <= LOWEST + 1_000) {
                throw new IllegalStateException("the ephemeral port range starts at " + low
                        + "; the harness needs the ports from " + LOWEST + " up to be outside it");
            }
            return low;
        } catch (IOException notLinux) {
            return 32_768;
        }
    }
}
