package co.signalchannel.json;

/**
 * A client's JSON nests arrays and objects deeper than the limit, e.g. {@code JSON nests arrays
 * and objects more than 64 deep, the limit}. Reading stopped at the first level beyond it.
 */
public final class JsonTooDeepException extends InvalidJsonException {

    private final int limit;

    JsonTooDeepException(int limit) {
        super("JSON nests arrays and objects more than " + limit + " deep, the limit");
        this.limit = limit;
    }

    /** The deepest nesting allowed. */
    public int limit() {
        return limit;
    }
}
