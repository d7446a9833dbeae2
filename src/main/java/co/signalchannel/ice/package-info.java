/**
 * The ICE servers browsers are told to use: the operator's STUN/TURN list, and time-limited TURN
 * credentials made for each request from the secret a coturn server shares
 * ({@link co.signalchannel.ice.TurnCredentials}). Plain Java; the servlet answering
 * {@code GET /v1/ice-servers} is in {@code co.signalchannel.web}.
 */
package co.signalchannel.ice;
