package co.signalchannel.relay;

import co.signalchannel.cluster.ClusterNode;
import co.signalchannel.cluster.ClusterUnavailableException;
import co.signalchannel.connection.CloseCodes;
import co.signalchannel.connection.Outgoing;
import co.signalchannel.connection.ProtocolViolation;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One relay namespace's claims held in the cluster's Redis, so that no two open sessions anywhere
 * hold the same claim and mirror claims meet whichever nodes they were presented on. The rules are
 * {@link RelayPairings}' own, run atomically by Redis as Lua scripts.
 *
 * <p>Keys: a claim held, and a claim waiting for its mirror, each holding its party's address
 * ({@code node/session}). A claim and its mirror share one hash slot (their names share a tag made
 * of the namespace and the two tokens), so that one script can pair them on Redis Cluster too. And
 * per node, the set of claim keys its parties hold, so that the claims of a lost node can be freed
 * by the nodes that survive it: a key of its own slot, so it is kept beside the claim, not by the
 * claim's script, and noted before the claim is made (both are sent at once), so that no claim
 * is ever held in Redis without its note.
 */
final class ClusterRendezvous implements Rendezvous {

    private static final Logger LOG = Logger.getLogger(ClusterRendezvous.class.getName());

    /** KEYS: own claim, the mirror's waiting key, own waiting key. ARGV: own address. */
    static final String CLAIM = """
            if redis.call('EXISTS', KEYS[1]) == 1 then return {'refused'} end
            redis.call('SET', KEYS[1], ARGV[1])
            local partner = redis.call('GET', KEYS[2])
            if partner then
              redis.call('DEL', KEYS[2])
              return {'paired', partner}
            end
            redis.call('SET', KEYS[3], ARGV[1])
            return {'waiting'}
            """;

    /** KEYS: own claim, own waiting key. ARGV: own address. */
    static final String RELEASE = """
            for i = 1, 2 do
              if redis.call('GET', KEYS[i]) == ARGV[1] then redis.call('DEL', KEYS[i]) end
            end
            return {}
            """;

    /** KEYS: a claim key a lost node noted. ARGV: its addresses' prefix ({@code node/}). */
    static final String FORGET = """
            local holder = redis.call('GET', KEYS[1])
            if holder and string.sub(holder, 1, #ARGV[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
            return {}
            """;

    private final ClusterNode cluster;
    private final String namespace;
    private final Map<String, RelayParty> localParties;

    /**
     * @param localParties this node's relay parties by session id, to pair a mirror claim made
     *                     here with its waiting party here directly
     */
    ClusterRendezvous(ClusterNode cluster, String namespace, Map<String, RelayParty> localParties) {
        this.cluster = cluster;
        this.namespace = namespace;
        this.localParties = localParties;
    }

    @Override
    public RelayPairings.Claim<Partner> claim(RelayParty party, RelayHeader header) throws ProtocolViolation {
        String[] keys = {key(HELD, header), key(WAITING, header.mirror()), key(WAITING, header)};
        String[] own = {keys[0], keys[2]};
        String nodeClaims = nodeClaims(cluster, cluster.nodeId());
        List<String> answer;
        try {
            CompletionStage<Long> noted = cluster.addToSet(nodeClaims, own);
            answer = cluster.script(CLAIM, keys, address(party));
            try {
                cluster.confirm(noted);
            } catch (ClusterUnavailableException e) {
                if (!answer.get(0).equals("refused")) {
                    release(party, header); // a claim nobody could free if this node were lost
                }
                throw e;
            }
        } catch (ClusterUnavailableException e) {
            throw new ProtocolViolation(CloseCodes.TRY_AGAIN_LATER, e.getMessage());
        }
        switch (answer.get(0)) {
            case "refused":
                cluster.removeFromSetLater(nodeClaims, own);
                return new RelayPairings.Claim.Refused<>();
            case "waiting":
                return new RelayPairings.Claim.Waiting<>();
            default:
                return new RelayPairings.Claim.Paired<>(partner(answer.get(1), party));
        }
    }

    private Partner partner(String address, RelayParty newcomer) {
        RemoteParty remote = RemoteParty.at(cluster, address, newcomer);
        if (remote == null || !remote.node().equals(cluster.nodeId())) {
            return remote;
        }
        RelayParty here = localParties.get(remote.id());
        return here != null ? here : ENDED_HERE;
    }

    /** A waiting party of this node that ended between its claim and the mirror's: the newcomer is hung up on. */
    private static final Partner ENDED_HERE = new Partner() {
        @Override
        public void deliver(Outgoing message) {
            // nobody to deliver to
        }

        @Override
        public void hangUp() {
            // already gone
        }

        @Override
        public boolean pairWith(Partner newcomer) {
            return false;
        }
    };

    @Override
    public void release(RelayParty party, RelayHeader header) {
        String[] own = {key(HELD, header), key(WAITING, header)};
        try {
            cluster.script(RELEASE, own, address(party));
            cluster.removeFromSetLater(nodeClaims(cluster, cluster.nodeId()), own);
        } catch (ClusterUnavailableException e) {
            // Freed with the rest of this node's claims when the others find it lost, or gone with Redis.
            LOG.log(Level.FINE, "cannot release a relay claim now", e);
        }
    }

    /** Frees every claim a lost node's parties held, each in its own slot, then forgets its note. */
    static void forgetNode(ClusterNode cluster, String node) {
        String nodeClaims = nodeClaims(cluster, node);
        String lostAddresses = RemoteParty.address(node, "");
        cluster.members(nodeClaims).whenComplete((claims, failure) -> {
            if (failure != null) {
                LOG.log(Level.FINE, "cannot read the relay claims of lost node " + node, failure);
                return;
            }
            for (String claim : claims) {
                cluster.scriptLater(FORGET, new String[] {claim}, lostAddresses);
            }
            cluster.deleteLater(nodeClaims);
        });
    }

    private String address(RelayParty party) {
        return RemoteParty.address(cluster.nodeId(), party.id());
    }

    private static final String HELD = "held";
    private static final String WAITING = "waiting";

    /**
     * A claim's key: the tag names the pair of tokens (in one order for a header and its mirror),
     * the rest which side of the pair claims. Length-prefixed, so no namespace and tokens can spell
     * another's key.
     */
    private String key(String kind, RelayHeader header) {
        boolean localFirst = header.local().compareTo(header.remote()) <= 0;
        String tag = ClusterNode.hashTag(namespace, localFirst ? header.local() : header.remote(),
                localFirst ? header.remote() : header.local());
        return cluster.name("relay", tag, kind, lengthPrefixed(header.local()));
    }

    private static String nodeClaims(ClusterNode cluster, String node) {
        return cluster.name("relay", "claims-of", node);
    }

    static String lengthPrefixed(String part) {
        return part.length() + ":" + part;
    }
}
