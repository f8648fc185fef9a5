package dev.protochain.api.spi;

import java.net.ProtocolException;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;

/**
 * Reports a failed handshake of a {@link HandshakeSocket}: which side, which step, why, and what
 * the peer sent in that step. One exception per failure; the socket below is closed by then.
 *
 * <p>The message reads {@code layer 'greet' (entry 2001): the accepting handshake with
 * /127.0.0.1:51234 failed at the greeting: expected HELLO 1; the peer sent 8 bytes "HELLO 9\r\n"}:
 * printable ASCII as text, anything else as {@code \xNN}, at most {@value #SHOWN} bytes shown.
 */
public final class HandshakeException extends ProtocolException {

  private static final long serialVersionUID = 1L;

  /** The most bytes of what the peer sent a message shows. */
  public static final int SHOWN = 64;

  /** Which end ran the handshake. */
  public enum Side {
    /** The end that connected: the handshake ran inside {@code connect}. */
    CONNECTING,
    /** The end that accepted: the handshake ran inside {@code accept}. */
    ACCEPTING
  }

  /** Why the handshake failed. */
  public enum Reason {
    /** The peer sent nothing more before the handshake's deadline. */
    TIMED_OUT,
    /** The peer ended the stream before the step was complete. */
    PEER_CLOSED,
    /** The peer answered, and the answer breaks the protocol. */
    MALFORMED,
    /** The peer answered within the protocol, and said no. */
    REFUSED
  }

  private final Side side;
  private final String step;
  private final Reason reason;
  private final String problem;
  private final byte[] peerSent;

  /**
   * Creates the exception; {@link HandshakeSocket.Exchange} makes these, a layer rarely needs to.
   *
   * @param describe the layer, for the start of the message
   * @param peer the peer, as text
   * @param peerSent what the peer sent in the failed step (copied)
   */
  public HandshakeException(
      String describe,
      String peer,
      Side side,
      String step,
      Reason reason,
      String problem,
      byte[] peerSent) {
    super(message(describe, peer, side, step, problem, peerSent));
    this.side = Objects.requireNonNull(side, "side");
    this.step = Objects.requireNonNull(step, "step");
    this.reason = Objects.requireNonNull(reason, "reason");
    this.problem = Objects.requireNonNull(problem, "problem");
    this.peerSent = peerSent.clone();
  }

  private static String message(
      String describe, String peer, Side side, String step, String problem, byte[] sent) {
    return describe
        + ": the "
        + side.name().toLowerCase(Locale.ROOT)
        + " handshake with "
        + peer
        + " failed at "
        + step
        + ": "
        + problem
        + "; the peer sent "
        + (sent.length == 0 ? "nothing" : sent.length + " bytes " + show(sent));
  }

  /** Returns {@code "HELLO\r\n"}, or the first {@value #SHOWN} bytes so, then {@code ...}. */
  static String show(byte[] bytes) {
    StringBuilder b = new StringBuilder("\"");
    for (int i = 0; i < Math.min(bytes.length, SHOWN); i++) {
      int c = bytes[i] & 0xff;
      switch (c) {
        case '\r' -> b.append("\\r");
        case '\n' -> b.append("\\n");
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        default -> {
          if (c >= 0x20 && c < 0x7f) {
            b.append((char) c);
          } else {
            b.append(String.format(Locale.ROOT, "\\x%02x", c));
          }
        }
      }
    }
    return b.append(bytes.length > SHOWN ? "\"..." : "\"").toString();
  }

  /** Returns the side that ran the handshake. */
  public Side side() {
    return side;
  }

  /** Returns the step that failed, as the layer named it ({@code the greeting}). */
  public String step() {
    return step;
  }

  /** Returns why it failed. */
  public Reason reason() {
    return reason;
  }

  /** Returns the problem alone, without the layer, the peer and the bytes. */
  public String problem() {
    return problem;
  }

  /** Returns a copy of what the peer sent in the failed step. */
  public byte[] peerSent() {
    return Arrays.copyOf(peerSent, peerSent.length);
  }
}
