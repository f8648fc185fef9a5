/**
 * The {@code websocket} layer: stream sockets carried as RFC 6455 WebSocket connections, binary
 * messages after an HTTP/1.1 upgrade, built on the protocol kit of {@code api.spi}.
 *
 * <p>Start with {@link dev.protochain.layers.websocket.WebSocketLayer}, whose Javadoc gives the
 * handshake, the frames, the close and the settings.
 */
package dev.protochain.layers.websocket;
