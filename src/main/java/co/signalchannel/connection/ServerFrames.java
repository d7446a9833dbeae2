package co.signalchannel.connection;

import java.nio.charset.StandardCharsets;

/**
 * Whole WebSocket messages as a server puts them on the wire (RFC 6455 §5.2): one final frame,
 * unmasked, no extension bits. Built once per message so a fan-out to thousands of sessions does
 * not encode and frame the same message thousands of times.
 */
public final class ServerFrames {

    static final int TEXT = 0x1;
    static final int BINARY = 0x2;

    private ServerFrames() {
    }

    public static byte[] text(String text) {
        return frame(TEXT, text.getBytes(StandardCharsets.UTF_8));
    }

    public static byte[] binary(byte[] data) {
        return frame(BINARY, data);
    }

    private static byte[] frame(int opcode, byte[] payload) {
        int length = payload.length;
        int header = length <= 125 ? 2 : length <= 0xFFFF ? 4 : 10;
        byte[] frame = new byte[header + length];
        frame[0] = (byte) (0x80 | opcode); // FIN: the whole message in this frame
        if (header == 2) {
            frame[1] = (byte) length;
        } else if (header == 4) {
            frame[1] = 126;
            frame[2] = (byte) (length >>> 8);
            frame[3] = (byte) length;
        } else {
            frame[1] = 127;
            for (int i = 0; i < 8; i++) {
                frame[2 + i] = (byte) ((long) length >>> (56 - 8 * i));
            }
        }
        System.arraycopy(payload, 0, frame, header, length);
        return frame;
    }
}
