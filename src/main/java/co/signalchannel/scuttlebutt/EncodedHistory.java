package co.signalchannel.scuttlebutt;

import java.lang.ref.SoftReference;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A model's history as the text messages that carry it to a peer: its lines packed into messages
 * of about {@value ReplicationStream#HISTORY_MESSAGE_CHARS} characters, {@code "SYNC"} ending the
 * last one.
 *
 * <p>The whole history, what a peer with an empty clock is sent, is kept for as long as the model
 * holds the same records, so peers joining one after another (a room filling up, every client
 * reconnecting after a restart) cost one encoding between them, not one each. It is held softly:
 * the collector may drop it when memory runs short, and the next joiner encodes it again.
 *
 * <p>Not thread-safe: use it under the same lock as its model.
 */
final class EncodedHistory {

    private final ExpiryModel model;
    private final ScuttlebuttCodec codec;
    private SoftReference<List<String>> whole = new SoftReference<>(null);
    private long wholeVersion;

    EncodedHistory(ExpiryModel model, ScuttlebuttCodec codec) {
        this.model = model;
        this.codec = codec;
    }

    /** Every record the model holds, then {@code "SYNC"}: what a peer that has nothing is sent. */
    List<String> whole() {
        long version = model.version();
        List<String> messages = whole.get();
        if (messages == null || version != wholeVersion) {
            messages = pack(model.history(Map.of()));
            whole = new SoftReference<>(messages);
            wholeVersion = version;
        }
        return messages;
    }

    /** {@code records}, in order, then {@code "SYNC"}. */
    List<String> pack(List<Update> records) {
        List<String> messages = new ArrayList<>();
        StringBuilder message = new StringBuilder();
        for (Update record : records) {
            append(messages, message, codec.encode(record));
        }
        append(messages, message, ScuttlebuttCodec.SYNC_LINE);
        messages.add(message.toString());
        return List.copyOf(messages);
    }

    private static void append(List<String> messages, StringBuilder message, String line) {
        if (message.length() > 0 && message.length() + line.length() > ReplicationStream.HISTORY_MESSAGE_CHARS) {
            messages.add(message.toString());
            message.setLength(0);
        }
        message.append(line);
    }
}
