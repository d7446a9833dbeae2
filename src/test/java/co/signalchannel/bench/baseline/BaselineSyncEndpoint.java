package co.signalchannel.bench.baseline;

import jakarta.websocket.OnMessage;
import jakarta.websocket.OnOpen;
import jakarta.websocket.Session;
import jakarta.websocket.server.PathParam;
import jakarta.websocket.server.ServerEndpoint;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The transport floor for a scuttlebutt late joiner: on the client's first message (its digest)
 * it sends a prebuilt history of {@code keys} update lines, packed into messages of the size the
 * server packs them into, then {@code "SYNC"}. No model, no encoding, no clock comparison: only
 * the bytes a joiner must receive.
 */
@ServerEndpoint("/sync/{keys}")
public class BaselineSyncEndpoint {

    /** As {@code ReplicationStream.HISTORY_MESSAGE_CHARS}. */
    private static final int MESSAGE_CHARS = 64 * 1024;
    private static final Map<Integer, List<String>> HISTORIES = new ConcurrentHashMap<>();

    private boolean sent;

    @OnOpen
    public void open(Session session) {
        session.setMaxIdleTimeout(0);
        session.getAsyncRemote().sendText("{\"id\":\"baseline\",\"clock\":{}}\n");
    }

    @OnMessage
    public void digest(Session session, String text, @PathParam("keys") int keys) {
        if (sent) {
            return;
        }
        sent = true;
        for (String message : HISTORIES.computeIfAbsent(keys, BaselineSyncEndpoint::history)) {
            session.getAsyncRemote().sendText(message);
        }
    }

    /** The same lines the benchmark writes to the scuttlebutt namespace it measures. */
    public static String updateLine(int key, long ts) {
        return "[[\"key-" + key + "\",{\"peer\":\"bench-peer-" + key + "\",\"n\":" + key + "}]," + ts + ",\"seed\"]\n";
    }

    private static List<String> history(int keys) {
        List<String> messages = new ArrayList<>();
        StringBuilder message = new StringBuilder();
        long ts = System.currentTimeMillis() - keys;
        for (int key = 0; key < keys; key++) {
            String line = updateLine(key, ts + key);
            if (message.length() > 0 && message.length() + line.length() > MESSAGE_CHARS) {
                messages.add(message.toString());
                message.setLength(0);
            }
            message.append(line);
        }
        message.append("\"SYNC\"\n");
        messages.add(message.toString());
        return messages;
    }
}
