package co.signalchannel.connection;

import java.util.Arrays;

/** One item in a session's {@link Outbox}. */
public sealed interface Outgoing {

    /** What the item costs against the outbox's byte limit. */
    int size();

    /**
     * A text message. One instance may be offered to many sessions (a fan-out): its wire frame is
     * then built once, by the first transport that asks, and shared.
     */
    final class Text implements Outgoing {
        private final String text;
        private volatile byte[] frame;

        public Text(String text) {
            this.text = text;
        }

        public String text() {
            return text;
        }

        /** The message as one server frame ({@link ServerFrames}); never modified by anyone. */
        public byte[] frame() {
            byte[] built = frame;
            if (built == null) {
                built = ServerFrames.text(text); // two threads may both build it: same bytes, no harm
                frame = built;
            }
            return built;
        }

        /** Counted in characters, close to UTF-8 bytes for signaling JSON. */
        @Override
        public int size() {
            return text.length();
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Text that && text.equals(that.text);
        }

        @Override
        public int hashCode() {
            return text.hashCode();
        }

        @Override
        public String toString() {
            return "Text[" + text + "]";
        }
    }

    /** A binary message; the array is shared between recipients and never modified. As for text, its frame is built once. */
    final class Binary implements Outgoing {
        private final byte[] data;
        private volatile byte[] frame;

        public Binary(byte[] data) {
            this.data = data;
        }

        public byte[] data() {
            return data;
        }

        /** The message as one server frame ({@link ServerFrames}); never modified by anyone. */
        public byte[] frame() {
            byte[] built = frame;
            if (built == null) {
                built = ServerFrames.binary(data);
                frame = built;
            }
            return built;
        }

        @Override
        public int size() {
            return data.length;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Binary that && Arrays.equals(data, that.data);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(data);
        }

        @Override
        public String toString() {
            return "Binary[" + data.length + " bytes]";
        }
    }

    /** A heartbeat ping. */
    record Ping() implements Outgoing {
        @Override
        public int size() {
            return 0;
        }
    }

    /** Close the session once everything queued before this has been sent. */
    record Close(Closure closure) implements Outgoing {
        @Override
        public int size() {
            return 0;
        }
    }
}
