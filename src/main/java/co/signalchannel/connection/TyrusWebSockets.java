package co.signalchannel.connection;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.concurrent.Future;

/** Where Tyrus keeps a session's {@code TyrusWebSocket}, for {@link TyrusDirectSend} and {@link TyrusClose}. */
final class TyrusWebSockets {

    private static final String TYRUS_WEB_SOCKET = "org.glassfish.tyrus.core.TyrusWebSocket";

    private TyrusWebSockets() {
    }

    /** The {@code webSocket} field of a Tyrus remote endpoint class, if it is one. */
    static Optional<Field> field(Class<?> remoteClass) {
        for (Class<?> type = remoteClass; type != null; type = type.getSuperclass()) {
            for (Field field : type.getDeclaredFields()) {
                if (field.getName().equals("webSocket") && field.getType().getName().equals(TYRUS_WEB_SOCKET)) {
                    return Optional.of(field);
                }
            }
        }
        return Optional.empty();
    }

    /** {@code TyrusWebSocket.sendRawFrame(ByteBuffer)}, typed {@code (Object, ByteBuffer)Future}. */
    static MethodHandle sendRawFrame(Class<?> socket) throws ReflectiveOperationException {
        return MethodHandles.publicLookup()
                .findVirtual(socket, "sendRawFrame", MethodType.methodType(Future.class, ByteBuffer.class))
                .asType(MethodType.methodType(Future.class, Object.class, ByteBuffer.class));
    }
}
