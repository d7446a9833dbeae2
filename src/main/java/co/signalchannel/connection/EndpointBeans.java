package co.signalchannel.connection;

import jakarta.enterprise.inject.spi.CDI;

import java.nio.ByteBuffer;

/**
 * What the {@code @ServerEndpoint} classes need from their surroundings.
 *
 * <p>Beans are looked up rather than {@code @Inject}ed into endpoints: Tomcat with Tyrus and Weld
 * Servlet creates endpoint instances outside CDI, so injection there leaves fields null, while a
 * lookup through {@link CDI#current()} works on Payara, WildFly and Tomcat alike.
 *
 * <p>Each bean is looked up once and kept: they are application-scoped (what is kept is the
 * container's proxy), and {@code CDI.current()} is not cheap (on Payara it finds the deployment
 * of the calling class loader each time), which a connect storm pays once per session. The cache
 * lives as long as this class, so a redeployment, which loads the classes anew, looks up afresh.
 */
public final class EndpointBeans {

    private EndpointBeans() {
    }

    private static final ClassValue<Object> BEANS = new ClassValue<>() {
        @Override
        protected Object computeValue(Class<?> type) {
            return CDI.current().select(type).get();
        }
    };

    public static <T> T get(Class<T> type) {
        return type.cast(BEANS.get(type));
    }

    /** The container may reuse the buffer after the callback returns; features keep a copy. */
    public static byte[] copy(ByteBuffer data) {
        byte[] bytes = new byte[data.remaining()];
        data.get(bytes);
        return bytes;
    }
}
