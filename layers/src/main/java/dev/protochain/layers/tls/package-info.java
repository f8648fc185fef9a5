/**
 * The {@code tls} layer: TLS client and server over the JDK's {@code SSLEngine}, configured with
 * PEM or PKCS#12 key material and a PEM trust file.
 *
 * <p>Start with {@link dev.protochain.layers.tls.TlsLayer}. Nothing in this package accepts or
 * returns {@code null} unless documented.
 */
package dev.protochain.layers.tls;
