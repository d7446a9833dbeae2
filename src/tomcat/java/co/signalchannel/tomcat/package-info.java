/**
 * Only in {@code signal-channel-tomcat.war}: what Tyrus needs to serve the WebSocket endpoints on
 * Tomcat. Nothing here is compiled into the WAR for Payara and WildFly, which bring their own
 * WebSocket implementation.
 *
 * <p>Tyrus' servlet integration asks the upgraded connection's output stream {@code isReady()}
 * before it has set a {@code WriteListener}. Tomcat refuses that ("It is illegal to call
 * canWrite() when the ServletOutputStream is not in non-blocking mode"), so every frame the server
 * sends fails, pongs and close frames included, while messages still arrive. {@link
 * TyrusUpgradeHandlerChoice} names {@link NonBlockingTyrusUpgradeHandler}, which the application's
 * {@code FrameLimitFilter} then creates in place of Tyrus' own handler; it hands Tyrus a connection whose output stream is put in non-blocking mode before
 * Tyrus first writes, as the Servlet specification expects, and whose close waits (a bounded
 * time) for the close frame to leave, since Tyrus closes right after writing it. A write that
 * fails because the client is gone is not reported to Tyrus' writer, which would log a warning
 * with a stack trace for it; the frames it still queues fail all the same.
 *
 * <p>The Tomcat WAR's {@code META-INF/context.xml} (in {@code src/tomcat/webapp}) holds the rest:
 * Tomcat's own WebSocket initializer filtered out, and parent-first class loading (why is written
 * there).
 */
package co.signalchannel.tomcat;
