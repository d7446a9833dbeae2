package co.signalchannel.relay;

import co.signalchannel.connection.CloseCodes;
import co.signalchannel.connection.ProtocolViolation;
import co.signalchannel.json.InvalidJsonException;
import co.signalchannel.json.JsonTextReader;
import co.signalchannel.json.JsonTooDeepException;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;

/**
 * The first message of a relay session: the token it goes by and the token of the partner it
 * wants, {@code {"local": "...", "remote": "..."}}.
 *
 * @param local  this session's token, 1 to {@value #MAX_TOKEN_LENGTH} characters
 * @param remote the partner's token, 1 to {@value #MAX_TOKEN_LENGTH} characters
 */
public record RelayHeader(String local, String remote) {

    public static final int MAX_TOKEN_LENGTH = 256;

    /** The header a partner must present to be paired with this one. */
    public RelayHeader mirror() {
        return new RelayHeader(remote, local);
    }

    /**
     * Reads a header from the first text message of a relay session, with {@code json}, which
     * bounds how deep the header may nest (its other fields are ignored, but read).
     *
     * @throws ProtocolViolation 1007 when it is not a JSON object with two string tokens of the
     *                           allowed length, or nests deeper than {@code json} allows; 1008
     *                           when both tokens are the same (it could never be paired)
     */
    public static RelayHeader parse(String text, JsonTextReader json) throws ProtocolViolation {
        JsonValue value;
        try {
            value = json.read(text);
        } catch (JsonTooDeepException tooDeep) {
            throw malformed("nests arrays and objects more than " + tooDeep.limit() + " deep, the limit");
        } catch (InvalidJsonException notJson) {
            throw malformed("is " + notJson.getMessage());
        }
        if (!(value instanceof JsonObject object)) {
            throw malformed("must be a JSON object");
        }
        RelayHeader header = new RelayHeader(token(object, "local"), token(object, "remote"));
        if (header.local().equals(header.remote())) {
            throw new ProtocolViolation(CloseCodes.POLICY_VIOLATION,
                    "relay header has the same local and remote token; it could never be paired");
        }
        return header;
    }

    private static String token(JsonObject header, String name) throws ProtocolViolation {
        JsonValue value = header.get(name);
        if (!(value instanceof JsonString string)) {
            throw malformed(value == null ? "has no \"" + name + "\"" : "\"" + name + "\" must be a string");
        }
        int length = string.getString().codePointCount(0, string.getString().length());
        if (length == 0 || length > MAX_TOKEN_LENGTH) {
            throw malformed("\"" + name + "\" is " + length + " characters; it must be 1 to " + MAX_TOKEN_LENGTH);
        }
        return string.getString();
    }

    private static ProtocolViolation malformed(String problem) {
        return new ProtocolViolation(CloseCodes.INVALID_PAYLOAD, "relay header " + problem
                + "; expected {\"local\": \"<token>\", \"remote\": \"<token>\"}");
    }
}
