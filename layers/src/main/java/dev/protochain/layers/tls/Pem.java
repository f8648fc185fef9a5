package dev.protochain.layers.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads PEM files with the JDK alone: X.509 certificates ({@code CERTIFICATE} blocks) and
 * unencrypted PKCS#8 private keys ({@code PRIVATE KEY} blocks). Text outside the blocks, such as
 * the {@code Bag Attributes} lines {@code openssl pkcs12} writes, is ignored. Failures are {@link
 * IOException}s whose message starts with the file's path.
 *
 * <p>This class is immutable.
 */
final class Pem {

  private static final Pattern BLOCK =
      Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \\1-----", Pattern.DOTALL);

  private Pem() {}

  /** One PEM block: its label and its decoded bytes. */
  record Block(String label, byte[] der) {}

  /** The most bytes read from one file: far more than a trust bundle or a keystore needs. */
  static final int MAX_FILE_BYTES = 1 << 20;

  private static final String EXPECTED = " (expected: a regular file of at most 1 MiB)";

  /**
   * Returns the bytes of {@code file}, a regular file of at most {@link #MAX_FILE_BYTES}; reads no
   * more than that, and opens no device, FIFO or directory (a FIFO would block the open until a
   * writer comes).
   *
   * @throws IOException starting with the file's path, if it is missing, unreadable, not a regular
   *     file or too large
   */
  static byte[] read(Path file) throws IOException {
    try {
      BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
      if (attributes.isDirectory()) {
        throw new IOException(file + ": is a directory" + EXPECTED);
      }
      if (!attributes.isRegularFile()) {
        throw new IOException(file + ": is not a regular file" + EXPECTED);
      }
      if (attributes.size() > MAX_FILE_BYTES) {
        throw tooLarge(file);
      }
      byte[] bytes;
      try (InputStream in = Files.newInputStream(file)) {
        bytes = in.readNBytes(MAX_FILE_BYTES + 1); // the file may have grown since
      }
      if (bytes.length > MAX_FILE_BYTES) {
        throw tooLarge(file);
      }
      return bytes;
    } catch (NoSuchFileException e) {
      throw new IOException(file + ": no such file", e);
    } catch (AccessDeniedException e) {
      throw new IOException(file + ": permission denied", e);
    }
  }

  private static IOException tooLarge(Path file) {
    return new IOException(
        file + ": holds more than 1 MiB, the most tls reads from a file" + EXPECTED);
  }

  /** Returns every PEM block of {@code file}, in order. */
  static List<Block> blocks(Path file) throws IOException {
    // ISO-8859-1 maps every byte: a stray non-ASCII comment never fails the read.
    String text = new String(read(file), StandardCharsets.ISO_8859_1);
    List<Block> blocks = new ArrayList<>();
    Matcher m = BLOCK.matcher(text);
    while (m.find()) {
      String label = m.group(1);
      String body = m.group(2).replaceAll("\\s", "");
      try {
        blocks.add(new Block(label, Base64.getDecoder().decode(body)));
      } catch (IllegalArgumentException e) {
        throw new IOException(
            file
                + ": "
                + label
                + " block "
                + (blocks.size() + 1)
                + " is not valid Base64 ("
                + e.getMessage()
                + ")",
            e);
      }
    }
    return blocks;
  }

  /**
   * Returns the certificates of {@code file}, in file order.
   *
   * @throws IOException if the file holds no {@code CERTIFICATE} block or one that does not parse
   */
  static List<X509Certificate> certificates(Path file) throws IOException {
    CertificateFactory factory;
    try {
      factory = CertificateFactory.getInstance("X.509");
    } catch (CertificateException e) {
      throw new IOException("the JDK has no X.509 certificate factory", e);
    }
    List<X509Certificate> certificates = new ArrayList<>();
    for (Block b : blocks(file)) {
      if (!b.label().equals("CERTIFICATE")) {
        continue;
      }
      try {
        certificates.add(
            (X509Certificate) factory.generateCertificate(new ByteArrayInputStream(b.der())));
      } catch (CertificateException e) {
        throw new IOException(
            file
                + ": certificate "
                + (certificates.size() + 1)
                + " is not an X.509 certificate ("
                + e.getMessage()
                + ")",
            e);
      }
    }
    if (certificates.isEmpty()) {
      throw new IOException(
          file + ": holds no certificate (expected: -----BEGIN CERTIFICATE----- blocks)");
    }
    return certificates;
  }

  /**
   * Returns the private key of {@code file}, the first {@code PRIVATE KEY} block, read as a key of
   * {@code algorithm} (the algorithm of the certificate it belongs to).
   *
   * @throws IOException if the file holds no such block, an encrypted or a PKCS#1 key, or a key of
   *     another algorithm
   */
  static PrivateKey privateKey(Path file, String algorithm) throws IOException {
    for (Block b : blocks(file)) {
      switch (b.label()) {
        case "PRIVATE KEY":
          try {
            return KeyFactory.getInstance(algorithm)
                .generatePrivate(new PKCS8EncodedKeySpec(b.der()));
          } catch (GeneralSecurityException e) {
            throw new IOException(
                file
                    + ": the PRIVATE KEY block is not a PKCS#8 "
                    + algorithm
                    + " key, the algorithm of the certificate ("
                    + e.getMessage()
                    + ")",
                e);
          }
        case "ENCRYPTED PRIVATE KEY":
          throw new IOException(
              file
                  + ": the key is encrypted, which is not supported (expected: an unencrypted "
                  + "PKCS#8 key, from: openssl pkcs8 -in KEY -out PLAIN; or a PKCS#12 keystore with keystore-password)");
        case "RSA PRIVATE KEY":
        case "EC PRIVATE KEY":
        case "DSA PRIVATE KEY":
          throw new IOException(
              file
                  + ": the key is a "
                  + b.label()
                  + " block in the traditional format, which is "
                  + "not supported (expected: PKCS#8 -----BEGIN PRIVATE KEY-----, from: openssl pkcs8 -topk8 -nocrypt "
                  + "-in KEY -out PKCS8)");
        default:
          break; // certificates and parameters may share the file
      }
    }
    throw new IOException(
        file + ": holds no private key (expected: a -----BEGIN PRIVATE KEY----- block)");
  }
}
