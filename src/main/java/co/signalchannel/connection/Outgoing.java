package co.signalchannel.connection;

/** One item in a session's {@link Outbox}. */
public sealed interface Outgoing {

    /** What the item costs against the outbox's byte limit. */
    int size();

    /** A text message; its size is counted in characters, close to UTF-8 bytes for signaling JSON. */
    record Text(String text) implements Outgoing {
        @Override
        public int size() {
            return text.length();
        }
    }

    /** A binary message; the array is shared between recipients and never modified. */
    record Binary(byte[] data) implements Outgoing {
        @Override
        public int size() {
            return data.length;
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
