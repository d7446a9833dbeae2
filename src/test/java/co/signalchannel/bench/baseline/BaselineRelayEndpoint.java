package co.signalchannel.bench.baseline;

import jakarta.websocket.OnClose;
import jakarta.websocket.OnError;
import jakarta.websocket.OnMessage;
import jakarta.websocket.OnOpen;
import jakarta.websocket.Session;
import jakarta.websocket.server.PathParam;
import jakarta.websocket.server.ServerEndpoint;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The raw baseline of a relay: the least that pairs two sessions by mirror headers and forwards.
 * The first text message is the header {@code {"local":"a","remote":"b"}} (its two fields read as
 * plain strings, no JSON parser, no escapes); the session waits until another one of the same room
 * presents the mirror, then both receive {@code {"open":true}} and every later message goes to the
 * partner only. No claims held against takeover, no buffering of early messages (dropped), no
 * pairing deadline, no bounds, no liveness checks.
 *
 * <p>When one side closes the other is <em>not</em> closed: the benchmark's clients close both
 * ends themselves. Closing the partner from the closing session's thread is the race issue 10
 * fixed in signal-channel, and both WARs share one server in the benchmark, so a baseline that did
 * it could disturb signal-channel's figures too. Deployed only by the benchmark.
 */
@ServerEndpoint("/relay/{room}")
public class BaselineRelayEndpoint {

    private static final String OPEN = "{\"open\":true}";
    /** Sessions waiting for their mirror, by room and the two tokens in either order. */
    private static final Map<String, BaselineRelayEndpoint> WAITING = new ConcurrentHashMap<>();

    private Session session;
    private String pairKey;
    private volatile Session partner;

    @OnOpen
    public void open(Session session) {
        session.setMaxIdleTimeout(0);
        this.session = session;
    }

    @OnMessage
    public void text(String text, @PathParam("room") String room) {
        Session to = partner;
        if (to != null) {
            to.getAsyncRemote().sendText(text);
            return;
        }
        if (pairKey != null) {
            return; // waiting for the mirror: early messages are not kept (the benchmark sends none)
        }
        String local = field(text, "local");
        String remote = field(text, "remote");
        pairKey = room + '\n' + (local.compareTo(remote) < 0 ? local + '\n' + remote : remote + '\n' + local);
        BaselineRelayEndpoint[] mate = new BaselineRelayEndpoint[1];
        WAITING.compute(pairKey, (key, waiting) -> {
            if (waiting == null) {
                return this;
            }
            mate[0] = waiting;
            return null;
        });
        if (mate[0] != null) {
            // Both know their partner before either hears "open", so nothing either sends is lost.
            // This session's "open" goes first: what the mate sends once it hears its own is
            // forwarded from the mate's thread and must not overtake it. (This session's next
            // message is read only after this method returns.)
            partner = mate[0].session;
            mate[0].partner = session;
            session.getAsyncRemote().sendText(OPEN);
            mate[0].session.getAsyncRemote().sendText(OPEN);
        }
    }

    @OnMessage
    public void binary(ByteBuffer data) {
        Session to = partner;
        if (to != null) {
            to.getAsyncRemote().sendBinary(ByteBuffer.allocate(data.remaining()).put(data).flip());
        }
    }

    @OnClose
    public void close() {
        if (pairKey != null) {
            WAITING.remove(pairKey, this);
        }
    }

    @OnError
    public void error(Throwable cause) {
        // a dropped client; @OnClose follows
    }

    /** The string value of {@code "name"} in a flat JSON object, read without a parser. */
    private static String field(String json, String name) {
        int key = json.indexOf("\"" + name + "\"");
        int start = key < 0 ? -1 : json.indexOf('"', json.indexOf(':', key) + 1) + 1;
        int end = start <= 0 ? -1 : json.indexOf('"', start);
        if (end < 0) {
            throw new IllegalArgumentException("relay header without \"" + name + "\": " + json);
        }
        return json.substring(start, end);
    }
}
