package co.signalchannel.namespace;

/** How much of one endpoint is in use: its namespaces and their sessions. */
public record Usage(int namespaces, int sessions) {
}
