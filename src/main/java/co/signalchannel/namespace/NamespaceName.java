package co.signalchannel.namespace;

import java.util.Optional;

/**
 * Which strings may name a namespace, apart from their length (a setting, checked by
 * {@link NamespaceRegistry}). Any string of Unicode characters may, except:
 *
 * <ul>
 *   <li>one made only of dots ({@code .}, {@code ..}, {@code ...}): {@code encodeURIComponent}
 *       leaves dots as they are, and URLs treat {@code .} and {@code ..} as steps in the path, so
 *       browsers and servers rewrite them before an endpoint could see them (and Payara refuses
 *       {@code ...});</li>
 *   <li>one holding {@code /} or {@code \}: path separators, which servers refuse or rewrite even
 *       when percent-encoded;</li>
 *   <li>one holding a control character (U+0000 to U+001F, U+007F to U+009F), which servers refuse
 *       and which would be invisible wherever the name is shown.</li>
 * </ul>
 *
 * <p>The browser client ({@code signal-channel.js}) applies the same rule before it connects; the
 * server refuses such a name in the opening handshake with HTTP 400, and (should one get past)
 * when the session joins, with 1008.
 */
public final class NamespaceName {

    private NamespaceName() {
    }

    /** What is wrong with the name, in words a person can act on; empty if it is allowed (length aside). */
    public static Optional<String> problem(String name) {
        if (!name.isEmpty() && name.chars().allMatch(c -> c == '.')) {
            return Optional.of("a namespace name must not be only dots (\".\", \"..\"): URLs treat them as steps in the path");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '/' || c == '\\') {
                return Optional.of("a namespace name must not contain \"/\" or \"\\\"");
            }
            if (Character.getType(c) == Character.CONTROL) {
                return Optional.of("a namespace name must not contain control characters (U+0000 to U+001F, U+007F to U+009F); it has U+"
                        + String.format("%04X", (int) c));
            }
        }
        return Optional.empty();
    }
}
