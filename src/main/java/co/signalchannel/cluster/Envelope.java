package co.signalchannel.cluster;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One message between nodes, as published on a Redis channel: a kind (one byte, its meaning the
 * feature's), an address (a session id, or empty) and a payload (text as UTF-8, or bytes).
 *
 * <p>Wire form: {@code kind, address length (2 bytes, big-endian), address (UTF-8), payload}.
 */
public record Envelope(byte kind, String address, byte[] payload) {

    private static final int MAX_ADDRESS_BYTES = 0xffff;

    public Envelope {
        if (address.getBytes(StandardCharsets.UTF_8).length > MAX_ADDRESS_BYTES) {
            throw new IllegalArgumentException("address too long: " + address.length());
        }
    }

    public static Envelope of(byte kind, String address, String text) {
        return new Envelope(kind, address, text.getBytes(StandardCharsets.UTF_8));
    }

    /** The payload read as UTF-8 text. */
    public String text() {
        return new String(payload, StandardCharsets.UTF_8);
    }

    public byte[] encode() {
        byte[] addressBytes = address.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(3 + addressBytes.length + payload.length)
                .put(kind)
                .putShort((short) addressBytes.length)
                .put(addressBytes)
                .put(payload)
                .array();
    }

    /**
     * Reads what {@link #encode} wrote.
     *
     * @throws IllegalArgumentException when the bytes are not an envelope (another program
     *         publishing on our channels)
     */
    public static Envelope decode(byte[] bytes) {
        if (bytes.length < 3) {
            throw new IllegalArgumentException("not an envelope: " + bytes.length + " bytes");
        }
        int addressLength = ((bytes[1] & 0xff) << 8) | (bytes[2] & 0xff);
        if (3 + addressLength > bytes.length) {
            throw new IllegalArgumentException("not an envelope: address of " + addressLength + " bytes in " + bytes.length);
        }
        String address = new String(bytes, 3, addressLength, StandardCharsets.UTF_8);
        return new Envelope(bytes[0], address, Arrays.copyOfRange(bytes, 3 + addressLength, bytes.length));
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Envelope that && kind == that.kind && address.equals(that.address)
                && Arrays.equals(payload, that.payload);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * kind + address.hashCode()) + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        return "Envelope[" + (char) kind + " to " + address + ", " + payload.length + " bytes]";
    }
}
