package co.signalchannel.scuttlebutt;

import co.signalchannel.connection.CloseCodes;
import co.signalchannel.connection.Connection;
import co.signalchannel.connection.ProtocolViolation;
import co.signalchannel.connection.Receiver;

import java.util.List;

/**
 * What one scuttlebutt session sends: each text message decoded whole, then handed to its
 * namespace. A message over a limit closes the session with 1009, any other invalid message with
 * 1007, a binary one with 1003; none of such a message is applied.
 */
final class ScuttlebuttSession implements Receiver {

    /** Where a message's decoded values go: the store, which first makes room for them in the server's byte budget. */
    @FunctionalInterface
    interface Values {
        void receive(ScuttlebuttNamespace namespace, Connection from, List<ProtocolValue> values) throws ProtocolViolation;
    }

    private final Connection connection;
    private final ScuttlebuttNamespace namespace;
    private final ScuttlebuttCodec codec;
    private final Values values;

    /** A session whose values go straight to its namespace. */
    ScuttlebuttSession(Connection connection, ScuttlebuttNamespace namespace, ScuttlebuttCodec codec) {
        this(connection, namespace, codec, (to, from, values) -> to.receive(from, values));
    }

    ScuttlebuttSession(Connection connection, ScuttlebuttNamespace namespace, ScuttlebuttCodec codec, Values values) {
        this.connection = connection;
        this.namespace = namespace;
        this.codec = codec;
        this.values = values;
    }

    @Override
    public void onText(String text) throws ProtocolViolation {
        List<ProtocolValue> values;
        try {
            values = codec.decode(text);
        } catch (MessageLimitException overLimit) {
            throw new ProtocolViolation(CloseCodes.MESSAGE_TOO_BIG, overLimit.getMessage());
        } catch (MalformedMessageException malformed) {
            throw new ProtocolViolation(CloseCodes.INVALID_PAYLOAD, malformed.getMessage());
        }
        this.values.receive(namespace, connection, values);
    }

    @Override
    public void onBinary(byte[] data) throws ProtocolViolation {
        throw Receiver.binaryRefused("scuttlebutt");
    }
}
