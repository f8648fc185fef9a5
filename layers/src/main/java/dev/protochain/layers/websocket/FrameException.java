package dev.protochain.layers.websocket;

import java.net.ProtocolException;

/**
 * A frame the peer sent breaks RFC 6455, with the close status the connection fails with (section
 * 7.1.7): 1002 protocol error, 1007 invalid data or 1009 too big. The socket puts the peer's name
 * in front of the message before the application sees it.
 */
final class FrameException extends ProtocolException {

  private static final long serialVersionUID = 1L;

  private final int status;

  FrameException(int status, String message) {
    super(message);
    this.status = status;
  }

  /** Returns the status of the close frame sent for it. */
  int status() {
    return status;
  }
}
