package co.signalchannel.config;

/**
 * The settings whose values are words rather than numbers (lists, addresses, secrets), read from the same
 * sources in the same order as every {@link Setting}. An empty value counts as unset.
 */
public enum TextSetting {

    ALLOWED_ORIGINS("allowed-origins", "", "unset: only pages from the server's own host and port",
            "The web origins whose pages may open sessions, comma-separated, each `scheme://host[:port]` (e.g. `https://app.example.org`); `*` admits every origin and is for development only. A handshake from any other origin is refused with HTTP 403."),
    ALLOW_NO_ORIGIN("allow-no-origin", "false", "`false`",
            "`true` admits handshakes that carry no `Origin` header: clients that are not browsers (browsers always send one). Such clients can forge any origin, so tokens, not origins, are what keeps them out."),
    TRUSTED_PROXIES("trusted-proxies", "", "unset: none",
            "The addresses of reverse proxies (comma-separated addresses or CIDR blocks, e.g. `10.0.0.0/8,::1`) whose `Forwarded` / `X-Forwarded-For` headers name the client address for the per-address limits. A request from anywhere else is taken to come from its peer address, whatever it claims."),
    AUTH_HMAC_SECRETS("auth.hmac-secrets", "", "unset",
            "Secrets that sign tokens with HMAC (HS256/384/512), comma-separated, each at least 32 bytes, as `kid=secret` to be chosen by the token's `kid`, or a bare secret, tried for every token whatever its `kid`. Any `auth.*` set makes every session present a valid token."),
    AUTH_PUBLIC_KEYS("auth.public-keys", "", "unset",
            "A PEM file of public keys (RSA or EC) that sign tokens (RS*/PS*/ES*); a PEM key has no `kid`, so every token is checked against each, whatever its `kid`. Re-read when it changes."),
    AUTH_JWKS("auth.jwks", "", "unset",
            "A JWKS file (JSON Web Key Set) of the keys that sign tokens, chosen by `kid`: the way to rotate keys. Re-read when it changes."),
    CLUSTER_REDIS("cluster.redis", "", "unset: the server runs alone",
            "The Redis the nodes of a cluster share, as a URI: `redis://[:password@]host:port[/db]`, `rediss://` for TLS, `redis-sentinel://host:26379[,host2:26379]/db#master` for Sentinel. Set, the server joins the cluster of every node with the same Redis and prefix."),
    CLUSTER_PREFIX("cluster.prefix", "signalchannel", "`signalchannel`",
            "What every Redis key and channel of this cluster starts with, so several clusters can share one Redis."),
    CLUSTER_NODE_ID("cluster.node-id", "", "generated at start-up",
            "This node's name in the cluster (shown in `/v1/stats` and in the reasons of failover closes); unique among the nodes, without `/` or spaces."),
    TURN_SECRET("turn.secret", "", "unset: no TURN credentials",
            "The secret shared with a coturn server run with `use-auth-secret` and `static-auth-secret`. Set (with `turn.urls`), `GET /v1/ice-servers` adds a TURN server with a fresh time-limited credential to every answer."),
    TURN_URLS("turn.urls", "", "unset",
            "The TURN server's URLs for those credentials, comma-separated, e.g. `turn:turn.example.org:3478?transport=udp,turns:turn.example.org:5349`.");

    private final String key;
    private final String defaultValue;
    private final String documentedDefault;
    private final String description;

    TextSetting(String key, String defaultValue, String documentedDefault, String description) {
        this.key = key;
        this.defaultValue = defaultValue;
        this.documentedDefault = documentedDefault;
        this.description = description;
    }

    public String key() {
        return key;
    }

    public String defaultValue() {
        return defaultValue;
    }

    /** The default as the README's configuration table states it. */
    public String documentedDefault() {
        return documentedDefault;
    }

    public String description() {
        return description;
    }

    /** The system property and context parameter name, e.g. {@code signalchannel.cluster.redis}. */
    public String propertyName() {
        return "signalchannel." + key;
    }

    /** The environment variable name, e.g. {@code SIGNALCHANNEL_CLUSTER_REDIS}. */
    public String environmentName() {
        return Setting.environmentName(propertyName());
    }
}
