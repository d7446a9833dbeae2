/**
 * Reading the JSON clients send: bounded in depth, with every number kept as it was written, and
 * with nothing a client can write turning into anything but an {@link
 * co.signalchannel.json.InvalidJsonException}. Plain Java over the JSON-P streaming parser.
 */
package co.signalchannel.json;
