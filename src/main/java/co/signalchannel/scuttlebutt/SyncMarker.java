package co.signalchannel.scuttlebutt;

/**
 * The JSON string {@code "SYNC"}: the sender has sent all the history the receiver's digest asked
 * for; what follows is live.
 */
public enum SyncMarker implements ProtocolValue {
    SYNC
}
