package co.signalchannel.relay;

import co.signalchannel.cluster.ClusterNode;
import co.signalchannel.cluster.ClusterUnavailableException;
import co.signalchannel.connection.CloseCodes;
import co.signalchannel.connection.Outgoing;
import co.signalchannel.connection.ProtocolViolation;

import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One relay namespace's claims held in the cluster's Redis, so that no two open sessions anywhere
 * hold the same claim and mirror claims meet whichever nodes they were presented on. The rules are
 * {@link RelayPairings}' own, run atomically by Redis as Lua scripts.
 *
 * <p>Keys: a claim held, and a claim waiting for its mirror, each holding its party's address
 * ({@code node/session}); and per node the set of keys its parties hold, so that the claims of a
 * lost node can be freed by the nodes that survive it.
 */
final class ClusterRendezvous implements Rendezvous {

    private static final Logger LOG = Logger.getLogger(ClusterRendezvous.class.getName());

    /** ARGV: claim key, the mirror's waiting key, own waiting key, own address, the node's key set. */
    static final String CLAIM = """
            if redis.call('EXISTS', ARGV[1]) == 1 then return {'refused'} end
            redis.call('SET', ARGV[1], ARGV[4])
            redis.call('SADD', ARGV[5], ARGV[1])
            local partner = redis.call('GET', ARGV[2])
            if partner then
              redis.call('DEL', ARGV[2])
              return {'paired', partner}
            end
            redis.call('SET', ARGV[3], ARGV[4])
            redis.call('SADD', ARGV[5], ARGV[3])
            return {'waiting'}
            """;

    /** ARGV: claim key, own waiting key, own address, the node's key set. */
    static final String RELEASE = """
            for i = 1, 2 do
              if redis.call('GET', ARGV[i]) == ARGV[3] then redis.call('DEL', ARGV[i]) end
            end
            redis.call('SREM', ARGV[4], ARGV[1], ARGV[2])
            return {}
            """;

    /** ARGV: a lost node's key set, its addresses' prefix ({@code node/}). */
    static final String FORGET_NODE = """
            for _, key in ipairs(redis.call('SMEMBERS', ARGV[1])) do
              local holder = redis.call('GET', key)
              if holder and string.sub(holder, 1, #ARGV[2]) == ARGV[2] then redis.call('DEL', key) end
            end
            redis.call('DEL', ARGV[1])
            return 'OK'
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
        List<String> answer;
        try {
            answer = cluster.script(CLAIM, new String[0], key("held", header), key("waiting", header.mirror()),
                    key("waiting", header), address(party), nodeKeys(cluster, cluster.nodeId()));
        } catch (ClusterUnavailableException e) {
            throw new ProtocolViolation(CloseCodes.TRY_AGAIN_LATER, e.getMessage());
        }
        switch (answer.get(0)) {
            case "refused":
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
        try {
            cluster.script(RELEASE, new String[0], key("held", header), key("waiting", header),
                    address(party), nodeKeys(cluster, cluster.nodeId()));
        } catch (ClusterUnavailableException e) {
            // Freed with the rest of this node's claims when the others find it lost, or gone with Redis.
            LOG.log(Level.FINE, "cannot release a relay claim now", e);
        }
    }

    /** Frees every claim a lost node's parties held. */
    static void forgetNode(ClusterNode cluster, String node) {
        cluster.scriptLater(FORGET_NODE, new String[0], nodeKeys(cluster, node), RemoteParty.address(node, ""));
    }

    private String address(RelayParty party) {
        return RemoteParty.address(cluster.nodeId(), party.id());
    }

    /** Names are length-prefixed, so no namespace and tokens can spell another's key. */
    private String key(String kind, RelayHeader header) {
        return cluster.name("relay", kind, lengthPrefixed(namespace) + lengthPrefixed(header.local())
                + lengthPrefixed(header.remote()));
    }

    private static String nodeKeys(ClusterNode cluster, String node) {
        return cluster.name("relay", "claims-of", node);
    }

    static String lengthPrefixed(String part) {
        return part.length() + ":" + part;
    }
}
