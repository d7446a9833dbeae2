package co.signalchannel.relay;

import java.util.HashMap;
import java.util.Map;

/**
 * The pairing rules of one relay namespace: who holds which {@code (local, remote)} claim, and who
 * is waiting for whom.
 *
 * <p>A claim is held from the moment its header is accepted until its session is
 * {@linkplain #release released}, paired or not, so nobody can take over or listen in on a pairing.
 * Thread-safe.
 *
 * @param <P> whatever stands for a session
 */
public final class RelayPairings<P> {

    /** The answer to a claim. */
    public sealed interface Claim<P> {
        /** The same {@code (local, remote)} is held by another session. */
        record Refused<P>() implements Claim<P> {
        }

        /** Held, waiting for the mirror claim. */
        record Waiting<P>() implements Claim<P> {
        }

        /** The mirror claim was waiting: the two are now partners. */
        record Paired<P>(P partner) implements Claim<P> {
        }
    }

    private final Map<RelayHeader, P> holders = new HashMap<>();
    private final Map<RelayHeader, P> waiting = new HashMap<>();

    /**
     * Claims {@code header} for {@code party}: refused if held, paired with the holder of the
     * mirror claim if that one waits, else held and waiting.
     */
    public synchronized Claim<P> claim(P party, RelayHeader header) {
        if (holders.containsKey(header)) {
            return new Claim.Refused<>();
        }
        holders.put(header, party);
        P partner = waiting.remove(header.mirror());
        if (partner != null) {
            return new Claim.Paired<>(partner);
        }
        waiting.put(header, party);
        return new Claim.Waiting<>();
    }

    /** Frees the claim {@code party} held, paired or waiting; no-op if it holds none. */
    public synchronized void release(P party, RelayHeader header) {
        holders.remove(header, party);
        waiting.remove(header, party);
    }

    /** Claims held, paired or waiting. */
    public synchronized int held() {
        return holders.size();
    }

    /** Claims still waiting for their mirror. */
    public synchronized int waiting() {
        return waiting.size();
    }
}
