/**
 * Who may open sessions and how fast: allowed origins, signed tokens (JWT) with namespace claims,
 * per-session and per-address rate limits, and the client address behind trusted proxies.
 *
 * <p>Everything but {@link co.signalchannel.access.AccessGate} (the bean) and
 * {@link co.signalchannel.access.TokenVerifier}'s key files is plain logic over values and a clock.
 * The handshake checks run in the opening-handshake filter, before the WebSocket implementation;
 * their verdict reaches the endpoint as the session's user principal, a {@link
 * co.signalchannel.access.Visitor}, which is the one thing every server carries from the HTTP
 * request to the WebSocket session.
 */
package co.signalchannel.access;
