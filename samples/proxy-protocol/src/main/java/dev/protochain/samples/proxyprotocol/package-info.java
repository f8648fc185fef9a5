/**
 * A sample plugin: the {@code proxy-protocol} layer, which carries the original client's address
 * across a proxy in the HAProxy PROXY protocol (version 1) header.
 *
 * <p>Start with {@link dev.protochain.samples.proxyprotocol.ProxyProtocolLayer}.
 */
package dev.protochain.samples.proxyprotocol;
