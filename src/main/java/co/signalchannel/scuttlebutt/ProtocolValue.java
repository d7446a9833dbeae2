package co.signalchannel.scuttlebutt;

/**
 * One JSON value of the scuttlebutt stream protocol; a WebSocket text message carries one or more,
 * one per line.
 */
public sealed interface ProtocolValue permits Digest, Update, SyncMarker {
}
