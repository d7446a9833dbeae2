package co.signalchannel.connection;

import jakarta.enterprise.inject.spi.CDI;

import java.nio.ByteBuffer;

/**
 * What the {@code @ServerEndpoint} classes need from their surroundings.
 *
 * <p>Beans are looked up rather than {@code @Inject}ed into endpoints: Tomcat with Tyrus and Weld
 * Servlet creates endpoint instances outside CDI, so injection there leaves fields null, while a
 * lookup through {@link CDI#current()} works on Payara, WildFly and Tomcat alike.
 */
public final class EndpointBeans {

    private EndpointBeans() {
    }

    public static <T> T get(Class<T> type) {
        return CDI.current().select(type).get();
    }

    /** The container may reuse the buffer after the callback returns; features keep a copy. */
    public static byte[] copy(ByteBuffer data) {
        byte[] bytes = new byte[data.remaining()];
        data.get(bytes);
        return bytes;
    }
}
