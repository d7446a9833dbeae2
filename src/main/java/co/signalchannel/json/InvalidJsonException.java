package co.signalchannel.json;

import jakarta.json.stream.JsonLocation;

/**
 * A client's text is not one JSON value, or is one nested deeper than the server takes. The
 * message says what was wrong in words a person can act on, e.g. {@code not JSON at column 12},
 * and quotes none of the text: the caller decides how much of it a close reason may carry.
 */
public class InvalidJsonException extends Exception {

    InvalidJsonException(String problem) {
        super(problem, null, false, false);
    }

    static InvalidJsonException at(JsonLocation location) {
        return new InvalidJsonException(location == null ? "not JSON" : "not JSON at column " + location.getColumnNumber());
    }
}
