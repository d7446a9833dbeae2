package co.signalchannel.connection;

/**
 * Keeps sessions alive through proxies and finds dead ones: run {@link #step} every
 * {@code interval / STEPS}; each session is pinged once per interval, on its own step, and any
 * session silent for longer than the timeout is closed with 1001 at the next step.
 *
 * <p>Why steps: all sessions pinged at once answer at once, and Payara's HTTP worker queue (4,096
 * events by default) drops what overflows it when thousands of sessions become readable together.
 * Spread over {@value #STEPS} steps, at most a twentieth of the sessions answer together.
 */
final class Heartbeat {

    static final int STEPS = 20;

    private final long timeoutMillis;
    private int step;

    Heartbeat(long timeoutMillis) {
        this.timeoutMillis = timeoutMillis;
    }

    /** One step: pings the sessions whose turn it is, closes every dead one. Called by one thread at a time. */
    void step(Iterable<Connection> open) {
        int turn = step;
        step = (step + 1) % STEPS;
        for (Connection connection : open) {
            long silent = connection.silentFor();
            if (silent > timeoutMillis) {
                connection.abort(new Closure(CloseCodes.GOING_AWAY, "no answer to pings for " + silent
                        + " ms (limit " + timeoutMillis + " ms); closed as dead"));
            } else if (Math.floorMod(System.identityHashCode(connection), STEPS) == turn) {
                connection.ping();
            }
        }
    }
}
