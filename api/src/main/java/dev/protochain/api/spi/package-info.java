/**
 * The provider SPI: what base and layered providers implement, and the skeletons that make a layer
 * a few lines and a base a few methods.
 *
 * <p>Start with {@link dev.protochain.api.spi.Provider}, which states the lifecycle order once; a
 * base implements {@link dev.protochain.api.spi.BaseProvider}, a layer extends {@link
 * dev.protochain.api.spi.AbstractLayer} and wraps sockets in a {@link
 * dev.protochain.api.spi.ForwardingSocket}; a base extends {@link
 * dev.protochain.api.spi.AbstractBaseProvider} and {@link
 * dev.protochain.api.spi.AbstractBaseSocket}, which track its sockets and close them at unload.
 * Every provider class carries a {@link dev.protochain.api.spi.ProviderInfo} descriptor and is
 * registered for {@link java.util.ServiceLoader} under {@code dev.protochain.api.spi.Provider}.
 *
 * <p>The protocol kit, for a layer that changes the bytes: a {@link
 * dev.protochain.api.spi.HandshakeSocket} exchanges messages with its peer at connect and accept
 * (failures are one {@link dev.protochain.api.spi.HandshakeException}); a {@link
 * dev.protochain.api.spi.FramedSocket} also frames the stream, its receive side a {@link
 * dev.protochain.api.spi.FrameReader} that a layer may use alone. Nothing in this package accepts
 * or returns {@code null} unless documented as nullable.
 */
package dev.protochain.api.spi;
