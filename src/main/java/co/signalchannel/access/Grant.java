package co.signalchannel.access;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a verified token grants: who the holder is ({@code sub}), until when ({@code exp}), and on
 * which namespaces of which endpoints. Without a {@code namespaces} claim it grants every
 * namespace; with one, only those its patterns match, and nothing on an endpoint it leaves out.
 *
 * @param subject    the token's {@code sub}; empty if it has none
 * @param expires    the token's {@code exp}
 * @param namespaces patterns ({@code *} matches any run of characters) per endpoint; empty for all
 */
public record Grant(Optional<String> subject, Instant expires, Optional<Map<String, List<String>>> namespaces) {

    public Grant {
        namespaces = namespaces.map(Map::copyOf);
    }

    /** Whether the token lets its holder open {@code namespace} on {@code endpoint}. */
    public boolean allows(String endpoint, String namespace) {
        if (namespaces.isEmpty()) {
            return true;
        }
        for (String pattern : namespaces.get().getOrDefault(endpoint, List.of())) {
            if (matches(pattern, namespace)) {
                return true;
            }
        }
        return false;
    }

    /** A glob with {@code *} as its only wildcard, matched without backtracking blow-up. */
    static boolean matches(String pattern, String text) {
        int p = 0;
        int t = 0;
        int star = -1;
        int resume = 0;
        while (t < text.length()) {
            if (p < pattern.length() && pattern.charAt(p) != '*' && pattern.charAt(p) == text.charAt(t)) {
                p++;
                t++;
            } else if (p < pattern.length() && pattern.charAt(p) == '*') {
                star = p++;
                resume = t;
            } else if (star >= 0) {
                p = star + 1;
                t = ++resume;
            } else {
                return false;
            }
        }
        while (p < pattern.length() && pattern.charAt(p) == '*') {
            p++;
        }
        return p == pattern.length();
    }
}
