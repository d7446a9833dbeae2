package co.signalchannel.bench.baseline;

import jakarta.websocket.OnClose;
import jakarta.websocket.OnError;
import jakarta.websocket.OnMessage;
import jakarta.websocket.OnOpen;
import jakarta.websocket.Session;
import jakarta.websocket.server.PathParam;
import jakarta.websocket.server.ServerEndpoint;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The benchmark's raw baseline: the least a Jakarta WebSocket broadcast can do. Every message goes
 * to every session of its room, the sender included, with no bounds, no ordering guarantee across
 * senders, no liveness checks and no accounting.
 *
 * <p>When a single room is in use (so the room is every session of this endpoint) it uses Tyrus'
 * own {@code TyrusSession.broadcast}, which frames the message once for all; otherwise, or on a
 * container without Tyrus, it sends to each member through {@code getAsyncRemote()}. Deployed only
 * by the benchmark, never in the product's WAR.
 */
@ServerEndpoint("/echo/{room}")
public class BaselineEchoEndpoint {

    private static final Map<String, Set<Session>> ROOMS = new ConcurrentHashMap<>();
    private static volatile Method tyrusBroadcast;
    private static volatile boolean noTyrusBroadcast;

    @OnOpen
    public void open(Session session, @PathParam("room") String room) {
        session.setMaxIdleTimeout(0);
        ROOMS.computeIfAbsent(room, name -> ConcurrentHashMap.newKeySet()).add(session);
    }

    @OnClose
    public void close(Session session, @PathParam("room") String room) {
        ROOMS.computeIfPresent(room, (name, members) -> {
            members.remove(session);
            return members.isEmpty() ? null : members;
        });
    }

    @OnError
    public void error(Session session, Throwable cause) {
        // a dropped client; @OnClose follows
    }

    @OnMessage
    public void text(Session session, String text, @PathParam("room") String room) {
        Set<Session> members = ROOMS.get(room);
        if (members == null || ROOMS.size() == 1 && broadcast(session, text)) {
            return;
        }
        for (Session member : members) {
            member.getAsyncRemote().sendText(text);
        }
    }

    @OnMessage
    public void binary(Session session, ByteBuffer data, @PathParam("room") String room) {
        Set<Session> members = ROOMS.get(room);
        if (members == null) {
            return;
        }
        ByteBuffer copy = ByteBuffer.allocate(data.remaining()).put(data).flip();
        for (Session member : members) {
            member.getAsyncRemote().sendBinary(copy.duplicate());
        }
    }

    /** Tyrus' broadcast to every session of this endpoint, if the container has it. */
    private static boolean broadcast(Session session, String text) {
        if (noTyrusBroadcast) {
            return false;
        }
        try {
            Method method = tyrusBroadcast;
            if (method == null) {
                method = session.getClass().getMethod("broadcast", String.class);
                tyrusBroadcast = method;
            }
            method.invoke(session, text);
            return true;
        } catch (NoSuchMethodException | IllegalAccessException e) {
            noTyrusBroadcast = true;
            return false;
        } catch (InvocationTargetException e) {
            throw new IllegalStateException("broadcast failed", e.getCause());
        }
    }
}
