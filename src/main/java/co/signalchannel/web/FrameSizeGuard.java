package co.signalchannel.web;

/**
 * Reads the WebSocket frame headers in a client's byte stream, as it arrives, and removes every
 * data frame whose header already declares more than the message limit (alone, or with the
 * fragments of its message before it), so that the WebSocket implementation never buffers it.
 *
 * <p>Guarantees: the bytes it passes on are the client's frames before the first refused one,
 * unchanged and in order; a frame is refused from its header, whatever of its payload has
 * arrived; a frame header cut by the end of a chunk is held back (at most 14 bytes) and passed on,
 * whole, in front of the next chunk. Control frames pass (the WebSocket implementation checks
 * their 125-byte limit). The first refusal is reported and ends what passes: the session is closed
 * for it, so nothing after it is for the implementation; the guard still follows the frames that
 * come after the refused payload, so as to tell when the client's answering close frame has
 * arrived ({@link #closeFrameReceived}). A length with its most significant bit set (RFC 6455
 * forbids it) counts as larger than any limit, and the rest of the stream as its payload.
 *
 * <p>Not thread-safe: one instance per connection, used by the thread reading it.
 */
public final class FrameSizeGuard {

    /** 2 bytes, a 64-bit length, a mask. */
    static final int MAX_HEADER_BYTES = 14;

    private final long maxMessageBytes;
    private final byte[] held = new byte[MAX_HEADER_BYTES];
    private int heldCount;
    private long payloadLeft;
    private boolean dropping;
    private long messageBytes;
    private String refusal;
    private boolean refusalTaken;
    private boolean inCloseFrame;
    private boolean closeFrameReceived;

    public FrameSizeGuard(long maxMessageBytes) {
        this.maxMessageBytes = maxMessageBytes;
    }

    /** Bytes of a cut header held back from the last chunk, to be put in front of the next. */
    public int heldCount() {
        return heldCount;
    }

    /** Copies the held-back bytes to {@code into} at {@code offset} and forgets them; returns how many. */
    public int takeHeld(byte[] into, int offset) {
        int count = heldCount;
        System.arraycopy(held, 0, into, offset, count);
        heldCount = 0;
        return count;
    }

    /**
     * Filters the chunk {@code bytes[offset, offset + length)} in place (it must begin with what
     * {@link #takeHeld} returned): returns how many bytes, from {@code offset} on, are to be passed on.
     */
    public int filter(byte[] bytes, int offset, int length) {
        int read = offset;
        int write = offset;
        int end = offset + length;
        while (read < end) {
            if (payloadLeft > 0) {
                int count = (int) Math.min(payloadLeft, end - read);
                if (!dropping) {
                    if (write != read) {
                        System.arraycopy(bytes, read, bytes, write, count);
                    }
                    write += count;
                }
                read += count;
                payloadLeft -= count;
                if (payloadLeft == 0) {
                    frameEnded();
                }
                continue;
            }
            int available = end - read;
            int headerBytes = available < 2 ? MAX_HEADER_BYTES + 1 : headerBytes(bytes[read + 1]);
            if (available < headerBytes) {
                System.arraycopy(bytes, read, held, 0, available);
                heldCount = available;
                break;
            }
            int first = bytes[read] & 0xff;
            int opcode = first & 0x0f;
            long declared = declaredLength(bytes, read);
            dropping = refusal != null || isRefused(opcode, (first & 0x80) != 0, declared);
            inCloseFrame = opcode == 0x8;
            payloadLeft = declared < 0 ? Long.MAX_VALUE : declared;
            if (!dropping) {
                if (write != read) {
                    System.arraycopy(bytes, read, bytes, write, headerBytes);
                }
                write += headerBytes;
            }
            read += headerBytes;
            if (payloadLeft == 0) {
                frameEnded();
            }
        }
        return write - offset;
    }

    /**
     * Whether a close frame from the client has arrived whole, header and payload: after a refusal,
     * the client's answer to the server's close, and the last thing a client sends.
     */
    public boolean closeFrameReceived() {
        return closeFrameReceived;
    }

    private void frameEnded() {
        if (inCloseFrame) {
            closeFrameReceived = true;
        }
    }

    /** The reason of the first refusal, once, or null: not refused, or already taken. */
    public String takeRefusal() {
        if (refusal == null || refusalTaken) {
            return null;
        }
        refusalTaken = true;
        return refusal;
    }

    private boolean isRefused(int opcode, boolean fin, long declared) {
        if (opcode >= 0x8) {
            return false; // control frame: at most 125 bytes, checked by the implementation
        }
        long before = opcode == 0 ? messageBytes : 0;
        boolean over = declared < 0 || declared > maxMessageBytes - before;
        if (over) {
            messageBytes = 0;
            if (refusal == null) {
                String size = Long.toUnsignedString(declared);
                refusal = before == 0
                        ? "frame of " + size + " bytes is over the message limit of " + maxMessageBytes + " bytes"
                        : "message of " + before + " + " + size + " bytes is over the limit of " + maxMessageBytes + " bytes";
            }
            return true;
        }
        messageBytes = fin ? 0 : before + declared;
        return false;
    }

    private static int headerBytes(byte second) {
        int code = second & 0x7f;
        int lengthBytes = code == 126 ? 2 : code == 127 ? 8 : 0;
        int maskBytes = (second & 0x80) != 0 ? 4 : 0;
        return 2 + lengthBytes + maskBytes;
    }

    private static long declaredLength(byte[] bytes, int header) {
        int code = bytes[header + 1] & 0x7f;
        if (code < 126) {
            return code;
        }
        int lengthBytes = code == 126 ? 2 : 8;
        long length = 0;
        for (int i = 0; i < lengthBytes; i++) {
            length = (length << 8) | (bytes[header + 2 + i] & 0xff);
        }
        return length;
    }
}
