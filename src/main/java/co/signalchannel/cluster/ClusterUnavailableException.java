package co.signalchannel.cluster;

/** Redis, and so the rest of the cluster, cannot be reached now: the caller refuses with 1013. */
public class ClusterUnavailableException extends Exception {

    public ClusterUnavailableException(String message) {
        super(message);
    }
}
