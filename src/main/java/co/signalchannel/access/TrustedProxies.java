package co.signalchannel.access;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The reverse proxies whose forwarding headers are believed, and the client address a request
 * comes from through them. Anyone can send {@code X-Forwarded-For}: a request whose peer is not a
 * listed proxy is taken to come from its peer, whatever it claims, or one client could spread over
 * any number of made-up addresses and slip past the per-address limits.
 *
 * <p>Through proxies, the client is the nearest address in the chain that is not a listed proxy,
 * read from the right (each proxy appends the address it was reached from); {@code Forwarded}
 * (RFC 7239) is read when present, {@code X-Forwarded-For} otherwise.
 */
public final class TrustedProxies {

    /** An address block: the address's first {@code bits} bits. */
    private record Block(byte[] network, int bits) {

        boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            int whole = bits / 8;
            for (int i = 0; i < whole; i++) {
                if (address[i] != network[i]) {
                    return false;
                }
            }
            int rest = bits % 8;
            if (rest == 0) {
                return true;
            }
            int mask = 0xff << (8 - rest) & 0xff;
            return (address[whole] & mask) == (network[whole] & mask);
        }
    }

    private final List<Block> blocks;

    private TrustedProxies(List<Block> blocks) {
        this.blocks = blocks;
    }

    /**
     * @param list comma-separated addresses or CIDR blocks ({@code 10.0.0.0/8}, {@code ::1}); empty for none
     * @throws IllegalArgumentException naming an entry that is neither
     */
    public static TrustedProxies parse(String list) {
        List<Block> blocks = new ArrayList<>();
        for (String entry : list.split(",")) {
            String block = entry.strip();
            if (block.isEmpty()) {
                continue;
            }
            int slash = block.indexOf('/');
            byte[] network = literal(slash < 0 ? block : block.substring(0, slash)).orElseThrow(
                    () -> new IllegalArgumentException("trusted proxy \"" + block + "\" is not an IP address or CIDR block"));
            int bits = network.length * 8;
            if (slash >= 0) {
                try {
                    bits = Integer.parseInt(block.substring(slash + 1));
                } catch (NumberFormatException e) {
                    bits = -1;
                }
                if (bits < 0 || bits > network.length * 8) {
                    throw new IllegalArgumentException("trusted proxy \"" + block + "\" has a bad prefix length");
                }
            }
            blocks.add(new Block(network, bits));
        }
        return new TrustedProxies(List.copyOf(blocks));
    }

    /**
     * The client a request comes from.
     *
     * @param peer           the address the request arrived from (the TCP peer)
     * @param forwarded      its {@code Forwarded} headers
     * @param xForwardedFor  its {@code X-Forwarded-For} headers
     */
    public String clientOf(String peer, List<String> forwarded, List<String> xForwardedFor) {
        if (!isTrusted(peer)) {
            return canonical(peer);
        }
        List<String> chain = forwarded.isEmpty() ? elements(xForwardedFor) : forwardedFor(forwarded);
        String client = peer;
        for (int i = chain.size() - 1; i >= 0; i--) {
            Optional<byte[]> hop = literal(stripPort(chain.get(i)));
            if (hop.isEmpty()) {
                break; // "unknown", an obfuscated name, garbage: the last trusted hop is all we know
            }
            client = chain.get(i);
            if (!contains(hop.get())) {
                break;
            }
        }
        return canonical(stripPort(client));
    }

    boolean isTrusted(String address) {
        return literal(address).map(this::contains).orElse(false);
    }

    private boolean contains(byte[] address) {
        for (Block block : blocks) {
            if (block.contains(address)) {
                return true;
            }
        }
        return false;
    }

    private static List<String> elements(List<String> headers) {
        List<String> elements = new ArrayList<>();
        for (String header : headers) {
            for (String element : header.split(",")) {
                elements.add(element.strip());
            }
        }
        return elements;
    }

    /** The {@code for=} of each element of {@code Forwarded} (RFC 7239), quotes removed; "unknown" if absent. */
    private static List<String> forwardedFor(List<String> headers) {
        List<String> hops = new ArrayList<>();
        for (String element : elements(headers)) {
            String hop = "unknown";
            for (String pair : element.split(";")) {
                int equals = pair.indexOf('=');
                if (equals > 0 && pair.substring(0, equals).strip().toLowerCase(Locale.ROOT).equals("for")) {
                    hop = pair.substring(equals + 1).strip().replace("\"", "");
                }
            }
            hops.add(hop);
        }
        return hops;
    }

    /** {@code 192.0.2.1:4711} → {@code 192.0.2.1}, {@code [2001:db8::1]:4711} → {@code 2001:db8::1}. */
    private static String stripPort(String hop) {
        if (hop.startsWith("[")) {
            int close = hop.indexOf(']');
            return close > 0 ? hop.substring(1, close) : hop;
        }
        int colon = hop.indexOf(':');
        return colon > 0 && colon == hop.lastIndexOf(':') ? hop.substring(0, colon) : hop;
    }

    /** The address's usual spelling, so one client is one key however a proxy wrote it. */
    private static String canonical(String address) {
        return literal(address).map(bytes -> {
            try {
                return InetAddress.getByAddress(bytes).getHostAddress();
            } catch (UnknownHostException impossible) {
                return address;
            }
        }).orElse(address);
    }

    private static boolean isDottedQuad(String address) {
        String[] parts = address.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String part : parts) {
            if (!part.matches("\\d{1,3}") || Integer.parseInt(part) > 255) {
                return false;
            }
        }
        return true;
    }

    /** The bytes of an IPv4 or IPv6 literal, never looking a name up; empty for anything else. */
    static Optional<byte[]> literal(String text) {
        String address = text.strip();
        if (address.startsWith("[") && address.endsWith("]")) {
            address = address.substring(1, address.length() - 1);
        }
        int zone = address.indexOf('%');
        if (zone >= 0) {
            address = address.substring(0, zone);
        }
        if (isDottedQuad(address)) {
            try {
                return Optional.of(InetAddress.getByName(address).getAddress()); // a valid literal: no lookup
            } catch (UnknownHostException impossible) {
                return Optional.empty();
            }
        }
        if (!address.contains(":") || !address.matches("[0-9A-Fa-f:.]+")) {
            return Optional.empty();
        }
        try {
            // In brackets InetAddress takes it for an IPv6 literal and fails rather than look the name up.
            return Optional.of(InetAddress.getByName("[" + address + "]").getAddress());
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }
}
