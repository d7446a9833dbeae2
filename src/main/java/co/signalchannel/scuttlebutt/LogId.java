package co.signalchannel.scuttlebutt;

/**
 * The id of an entry in a Redis stream, {@code milliseconds-sequence}: the order of a namespace's
 * cluster log ({@link ClusterReplication}).
 */
record LogId(long millis, long sequence) {

    static final LogId ZERO = new LogId(0, 0);

    /** Reads {@code 1700000000000-3}. */
    static LogId parse(String id) {
        int dash = id.indexOf('-');
        if (dash < 0) {
            throw new IllegalArgumentException("not a stream id: " + id);
        }
        return new LogId(Long.parseLong(id.substring(0, dash)), Long.parseLong(id.substring(dash + 1)));
    }

    boolean isAfter(LogId other) {
        return millis > other.millis || (millis == other.millis && sequence > other.sequence);
    }

    /** The smallest id after this one: trimming below it removes this entry and every older one. */
    LogId next() {
        return sequence == Long.MAX_VALUE ? new LogId(millis + 1, 0) : new LogId(millis, sequence + 1);
    }

    @Override
    public String toString() {
        return millis + "-" + sequence;
    }
}
