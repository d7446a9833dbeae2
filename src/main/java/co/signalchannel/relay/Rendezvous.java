package co.signalchannel.relay;

import co.signalchannel.connection.ProtocolViolation;

/** Where one relay namespace's claims are held: this server alone, or the cluster's Redis. */
interface Rendezvous {

    /** Claims {@code header} for {@code party}: refused, waiting, or paired with the waiting partner. */
    RelayPairings.Claim<Partner> claim(RelayParty party, RelayHeader header) throws ProtocolViolation;

    /** Frees the claim {@code party} held, paired or waiting; no-op if it holds none. */
    void release(RelayParty party, RelayHeader header);

    /** The claims of a server alone, in {@link RelayPairings}. */
    static Rendezvous alone() {
        return in(new RelayPairings<>());
    }

    /** Claims held in {@code pairings}, on this server. */
    static Rendezvous in(RelayPairings<Partner> pairings) {
        return new Rendezvous() {
            @Override
            public RelayPairings.Claim<Partner> claim(RelayParty party, RelayHeader header) {
                return pairings.claim(party, header);
            }

            @Override
            public void release(RelayParty party, RelayHeader header) {
                pairings.release(party, header);
            }
        };
    }
}
