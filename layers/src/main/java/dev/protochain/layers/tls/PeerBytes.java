package dev.protochain.layers.tls;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a peer sent during a handshake, kept to say what the peer did when the handshake fails: the
 * first bytes it sent, how many it sent in all, and the head of the record being read at the
 * failure. The JDK's messages describe its engine ("Unsupported or unrecognized SSL message",
 * "Insufficient buffer remaining for AEAD cipher fragment"), differ between JDK updates, and say
 * nothing of a peer that speaks HTTP or sends noise; these words are ours and stay the same.
 *
 * <p>Not thread-safe; guarded by the handshake's locks.
 */
final class PeerBytes {

  private static final int FIRST = 48;
  private static final int HEAD = 7; // a record header (5 bytes) and an alert's two bytes
  private static final int ALERT = 21;
  private static final Pattern RECEIVED_ALERT = Pattern.compile("Received fatal alert: ([a-z_]+)");

  /** TLS alert descriptions (RFC 8446 section 6, and RFC 5246 for those TLS 1.3 dropped). */
  private static final Map<Integer, String> ALERTS =
      Map.ofEntries(
          Map.entry(0, "close_notify"),
          Map.entry(10, "unexpected_message"),
          Map.entry(20, "bad_record_mac"),
          Map.entry(22, "record_overflow"),
          Map.entry(40, "handshake_failure"),
          Map.entry(42, "bad_certificate"),
          Map.entry(43, "unsupported_certificate"),
          Map.entry(44, "certificate_revoked"),
          Map.entry(45, "certificate_expired"),
          Map.entry(46, "certificate_unknown"),
          Map.entry(47, "illegal_parameter"),
          Map.entry(48, "unknown_ca"),
          Map.entry(49, "access_denied"),
          Map.entry(50, "decode_error"),
          Map.entry(51, "decrypt_error"),
          Map.entry(70, "protocol_version"),
          Map.entry(71, "insufficient_security"),
          Map.entry(80, "internal_error"),
          Map.entry(86, "inappropriate_fallback"),
          Map.entry(90, "user_canceled"),
          Map.entry(109, "missing_extension"),
          Map.entry(110, "unsupported_extension"),
          Map.entry(112, "unrecognized_name"),
          Map.entry(113, "bad_certificate_status_response"),
          Map.entry(115, "unknown_psk_identity"),
          Map.entry(116, "certificate_required"),
          Map.entry(120, "no_application_protocol"));

  private final byte[] first = new byte[FIRST];
  private long received;
  private final byte[] head = new byte[HEAD];
  private int headLength;

  /** Notes the {@code n} bytes just received into {@code buffer}, which ends at its position. */
  void received(ByteBuffer buffer, int n) {
    int from = buffer.position() - n;
    for (int i = 0; i < n && received + i < FIRST; i++) {
      first[(int) received + i] = buffer.get(from + i);
    }
    received += n;
  }

  /** Notes the head of the record about to be unwrapped from {@code buffer} (in read mode). */
  void unwrapping(ByteBuffer buffer) {
    headLength = Math.min(HEAD, buffer.remaining());
    for (int i = 0; i < headLength; i++) {
      head[i] = buffer.get(buffer.position() + i);
    }
  }

  /** Returns how many bytes the peer sent. */
  long received() {
    return received;
  }

  /**
   * Returns what the peer did, when a handshake failing with {@code cause} can say it: the alert it
   * sent, or bytes that are no TLS at all; empty when the failure is about something else.
   */
  Optional<String> explain(Exception cause) {
    Optional<String> alert = plainTextAlert().or(() -> receivedAlert(cause));
    if (alert.isPresent()) {
      return alert;
    }
    int n = (int) Math.min(received, FIRST);
    if (n > 0 && !tlsRecordStart(n)) {
      return Optional.of(notTls(n));
    }
    return Optional.empty();
  }

  /** Returns how the peer ended the connection during the handshake. */
  String closed() {
    return "the peer closed the connection during the handshake, "
        + (received == 0 ? "having sent nothing" : "after sending " + received + " bytes");
  }

  /**
   * Returns what the peer did by the fatal alert the engine reports it read in {@code cause}, or
   * empty if {@code cause} is no such report. After the handshake too: a TLS 1.3 server that
   * refuses the client's certificate says so after the client's handshake is over.
   */
  static Optional<String> receivedAlert(Throwable cause) {
    for (Throwable t = cause; t != null; t = t.getCause()) {
      Matcher m = RECEIVED_ALERT.matcher(String.valueOf(t.getMessage()));
      if (m.find()) {
        return Optional.of(describeAlert(m.group(1)));
      }
    }
    return Optional.empty();
  }

  /**
   * Returns what the peer did by the fatal alert it sent in plain text, which an engine that
   * expected an encrypted record cannot read (OpenSSL's TLS 1.3 client alerts before it switches to
   * the handshake keys).
   */
  private Optional<String> plainTextAlert() {
    if (headLength == HEAD
        && head[0] == ALERT
        && head[1] == 3
        && head[3] == 0
        && head[4] == 2
        && head[5] == 2) { // length 2, level fatal
      int description = head[6] & 0xff;
      return Optional.of(describeAlert(ALERTS.getOrDefault(description, "alert " + description)));
    }
    return Optional.empty();
  }

  private static String describeAlert(String name) {
    String what;
    switch (name) {
      case "bad_certificate":
      case "unsupported_certificate":
      case "certificate_revoked":
      case "certificate_expired":
      case "certificate_unknown":
      case "unknown_ca":
      case "access_denied":
        what = "the peer rejected our certificate";
        break;
      case "certificate_required":
        what = "the peer requires a certificate of ours, and this entry sent none";
        break;
      case "protocol_version":
        what = "the peer accepts none of the protocol versions we offer";
        break;
      case "handshake_failure":
      case "insufficient_security":
        what = "the peer refused our handshake (no common cipher suite, or a certificate it needs)";
        break;
      case "unrecognized_name":
        what = "the peer does not serve the server name we sent";
        break;
      default:
        what = "the peer ended the handshake";
        break;
    }
    return what + " (alert: " + name + ")";
  }

  /** Returns whether the first bytes can begin a TLS record: a content type, then version 3.x. */
  private boolean tlsRecordStart(int n) {
    int type = first[0] & 0xff;
    return type >= 20 && type <= 23 && (n < 2 || first[1] == 3);
  }

  private String notTls(int n) {
    int line = 0;
    while (line < n && first[line] != '\r' && first[line] != '\n') {
      line++;
    }
    boolean text = line > 0;
    for (int i = 0; i < line && text; i++) {
      text = first[i] >= 0x20 && first[i] < 0x7f;
    }
    if (text) {
      String start =
          new String(first, 0, Math.min(line, 40), java.nio.charset.StandardCharsets.US_ASCII);
      return "the peer sent plain text ('"
          + start
          + (line > 40 || (line == n && received > n) ? "..." : "")
          + "'), not a TLS record";
    }
    StringBuilder hex = new StringBuilder();
    for (int i = 0; i < Math.min(n, 8); i++) {
      hex.append(i == 0 ? "" : " ").append(String.format("%02x", first[i] & 0xff));
    }
    return "the peer sent bytes that are not a TLS record (first bytes: "
        + hex
        + (received > 8 ? " ..." : "")
        + ")";
  }
}
