package dev.protochain.layers.tls;

import dev.protochain.api.CatalogEntry;
import dev.protochain.api.ChainSocket;
import dev.protochain.api.EntryKind;
import dev.protochain.api.ServiceFlag;
import dev.protochain.api.Settings;
import dev.protochain.api.SocketType;
import dev.protochain.api.spi.AbstractLayer;
import dev.protochain.api.spi.ProviderContext;
import dev.protochain.api.spi.ProviderInfo;
import dev.protochain.api.spi.SettingInfo;
import dev.protochain.api.spi.StartupContext;
import dev.protochain.layers.internal.LayerTimer;
import dev.protochain.layers.internal.LingeringClose;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;

/**
 * Encrypts stream sockets with TLS over the JDK's {@link SSLEngine}.
 *
 * <h2>Roles</h2>
 *
 * A socket that connects is the TLS client; a socket a listening socket accepts is the TLS server.
 * The role follows the operation, so there is no {@code mode} setting: one entry serves both, and
 * only accepting needs key material ({@link ChainSocket#listen} refuses without it). Key material,
 * when set, is also offered as the client certificate to a server that asks for one.
 *
 * <h2>Handshakes</h2>
 *
 * The client handshakes inside {@link ChainSocket#connect}, which fails if the handshake does,
 * bounded by {@code handshake-timeout} and by what is left of the connect timeout. The server
 * handshakes inside {@link ChainSocket#accept}, bounded by {@code handshake-timeout}, so that a
 * connection is usable the moment both calls return, whichever threads make them, as over plain
 * TCP. A handshake that fails there does not fail the accept (an accept loop must not break over
 * one bad client): the socket is returned and its first operation throws the failure. Because a
 * silent client holds {@code accept} up to {@code handshake-timeout}, a server exposed to untrusted
 * clients may set {@code handshake-on-accept} to {@code false}: the server handshake then runs on
 * the first {@code send}, {@code receive}, {@code flush} or {@code shutdownOutput} of the accepted
 * socket, in the thread that serves it. A failed handshake sends the engine's alert to the peer,
 * closes the socket below, and fails that operation and every later one ({@code remoteAddress},
 * {@code localAddress} and options included) with an {@link javax.net.ssl.SSLHandshakeException} (a
 * {@link java.net.SocketTimeoutException} on timeout) naming the peer, the entry and the cause,
 * such as {@code tls handshake with 127.0.0.1:4433 failed (entry 2001 'tls'): No subject
 * alternative DNS name matching wrong.example found.} Where the peer caused it, the cause says what
 * the peer did, in words that do not depend on the JDK: the alert it sent ({@code the peer rejected
 * our certificate (alert: unknown_ca)}), plain text ({@code the peer sent plain text ('GET /
 * HTTP/1.1'), not a TLS record}), bytes that are no TLS record, or a hang-up ({@code the peer
 * closed the connection during the handshake, having sent nothing}). An alert arriving after the
 * handshake (a TLS 1.3 server refusing our certificate) is reported the same way by the operation
 * that reads it.
 *
 * <p>{@code send}, {@code receive} and {@code shutdownOutput} on a socket that was neither
 * connected nor accepted fail as they fail on the socket below, as through a layer that does not
 * handshake.
 *
 * <h2>After the handshake</h2>
 *
 * TLS 1.3 post-handshake messages (session tickets, key updates, whose answer is sent at once) are
 * handled. A TLS 1.2 renegotiation started by either peer is refused, as Go's and rustls' TLS
 * stacks do by default: the operation that meets it fails with an {@link
 * javax.net.ssl.SSLException} and the socket is unusable.
 *
 * <h2>Closing</h2>
 *
 * {@link ChainSocket#shutdownOutput} sends close_notify and then shuts the output below; under TLS
 * 1.3 the input stays open (a half-close), under TLS 1.2 the peer's answering close_notify ends it
 * too. {@link ChainSocket#receive} returns -1 only after the peer's close_notify; a connection that
 * ends without one fails the receive with an {@link javax.net.ssl.SSLException} saying it was
 * truncated. A graceful {@link ChainSocket#close} sends close_notify (unless {@code shutdownOutput}
 * did), shuts the output below, reads and drops what the peer still sends until it closes too, then
 * closes the socket below: closing with unread bytes (a TLS 1.3 session ticket the application
 * never received) would make TCP send a reset that can destroy data the peer has not read yet. With
 * {@code SO_LINGER} above 0 this happens before {@code close} returns, the wait bounded by the
 * linger time; with linger off (the default) {@code close} returns at once and a thread of the
 * layer does it, waiting at most 2 s for the peer, and at the latest the layer's final cleanup (the
 * close is held as an {@link AbstractLayer.Lingering}); that thread is a virtual thread of its own
 * where the JDK has them (21 and later), otherwise one of at most 16 platform threads of the load,
 * later closes waiting for a free one; with linger 0 the close is abortive and sends nothing. A
 * close racing a send in another thread closes the socket below at once, as a TCP close does to a
 * blocked writer, and sends no close_notify; so does the close of a connection whose peer ended it
 * without close_notify. A connection the peer broke (reset, or closed while close_notify was on its
 * way) just misses the close_notify: it carries no application bytes, so that is no failure of the
 * close or of the final cleanup.
 *
 * <h2>Settings</h2>
 *
 * <ul>
 *   <li>{@code trust}: a PEM file of the certificates to trust (CA or self-signed); default the
 *       JDK's trust store.
 *   <li>{@code server-name}: the name sent in SNI and checked against the server's certificate;
 *       default the host string of the address connected to (an IP literal is checked against the
 *       certificate's IP addresses and sends no SNI).
 *   <li>{@code hostname-verification}: {@code true} checks the server's certificate names the
 *       server by the HTTPS rules ({@code SSLParameters#setEndpointIdentificationAlgorithm}).
 *   <li>{@code key} and {@code cert}: PEM files of the unencrypted PKCS#8 private key and of the
 *       certificate chain, leaf first; or {@code keystore} and {@code keystore-password}: a PKCS#12
 *       file. The password is a secret: masked in every output, and best given as {@code
 *       @file:PATH} or {@code @env:NAME}, so that the catalog keeps only the reference.
 *   <li>{@code protocols}, {@code cipher-suites}: comma-separated lists to enable, checked at load
 *       against what the running JDK supports and will use (not disabled by {@code
 *       jdk.tls.disabledAlgorithms}; each suite usable with the protocols); default the JDK's
 *       defaults.
 *   <li>{@code handshake-timeout}: the longest a handshake may take; {@code 0} for no bound.
 *   <li>{@code handshake-on-accept}: {@code true} handshakes inside {@code accept}; {@code false}
 *       on the accepted socket's first operation; see above.
 * </ul>
 *
 * <p>Each setting's default is the {@code defaultValue} of its {@code @SettingInfo} below ({@code
 * protochain catalog layers} lists them).
 *
 * <p>Files are read once per load (relative paths from the working directory), each a regular file
 * of at most 1 MiB (a device, a FIFO or a larger file is refused unread); a file or setting that is
 * wrong fails the load with a message naming the setting, the entry and the problem. Datagram
 * sockets are refused (no DTLS).
 *
 * <p>This class is thread-safe.
 */
@ProviderInfo(
    id = "2e1ccabd-afe4-4bfc-97be-65a6b1cc04a7",
    name = "tls",
    kind = EntryKind.LAYER,
    version = "1.0.0",
    description =
        "Encrypts stream sockets with TLS (SSLEngine): client on connect, server on accept.",
    requiresBelow = {ServiceFlag.GUARANTEED_DELIVERY, ServiceFlag.GUARANTEED_ORDER},
    settings = {
      @SettingInfo(
          name = "trust",
          path = true,
          description =
              "PEM file (at most 1 MiB) of the certificates to trust; empty for the JDK's trust store"),
      @SettingInfo(
          name = "server-name",
          description = "name for SNI and hostname verification; empty for the host connected to"),
      @SettingInfo(
          name = "hostname-verification",
          defaultValue = "true",
          description = "check that the server's certificate names the server (HTTPS rules)"),
      @SettingInfo(
          name = "key",
          path = true,
          description =
              "PEM file (at most 1 MiB) of the unencrypted PKCS#8 private key, with cert"),
      @SettingInfo(
          name = "cert",
          path = true,
          description = "PEM file (at most 1 MiB) of the certificate chain, leaf first, with key"),
      @SettingInfo(
          name = "keystore",
          path = true,
          description =
              "PKCS#12 file (at most 1 MiB) of the key and its chain, instead of key and cert"),
      @SettingInfo(
          name = "keystore-password",
          secret = true,
          description = "password of the keystore"),
      @SettingInfo(
          name = "protocols",
          description =
              "comma-separated protocols to enable, such as TLSv1.3; empty for the JDK's defaults"),
      @SettingInfo(
          name = "cipher-suites",
          description = "comma-separated cipher suites to enable; empty for the JDK's defaults"),
      @SettingInfo(
          name = "handshake-timeout",
          defaultValue = "30s",
          description = "longest time a handshake may take; 0 for no bound"),
      @SettingInfo(
          name = "handshake-on-accept",
          defaultValue = "true",
          description =
              "handshake inside accept; false defers it to the accepted socket's first operation")
    })
public final class TlsLayer extends AbstractLayer {

  private static final Pattern IPV4_LITERAL = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

  /** The in-memory keystore password for PEM key material; it never leaves this process. */
  private static final char[] MEMORY_PASSWORD = "protochain".toCharArray();

  private volatile SSLContext sslContext;
  private volatile boolean hasKeyMaterial;
  private volatile boolean hostnameVerification;
  private volatile Optional<String> serverName;
  private volatile List<String> protocols;
  private volatile List<String> cipherSuites;
  private volatile Duration handshakeTimeout;
  private volatile boolean handshakeOnAccept;
  private volatile String described;
  private volatile LayerTimer threads;
  // What the closes of this load's sockets share; made with its threads.
  private volatile LingeringClose.Shared closes;

  /** Creates the layer; the runtime calls this. */
  public TlsLayer() {}

  @Override
  protected void onLoad(ProviderContext context) throws IOException {
    CatalogEntry entry = context.entry();
    Settings s = settings();
    described = "entry " + entry.id() + " '" + entry.name() + "'";
    hostnameVerification = s.getBoolean("hostname-verification");
    handshakeOnAccept = s.getBoolean("handshake-on-accept");
    handshakeTimeout = s.getDuration("handshake-timeout");
    if (handshakeTimeout.isNegative()) {
      throw new IllegalArgumentException(
          "setting 'handshake-timeout' of " + entry + " must not be negative");
    }
    serverName = nonEmpty(s, "server-name");
    if (serverName.isPresent() && !isIpLiteral(serverName.get())) {
      try {
        new SNIHostName(serverName.get());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "setting 'server-name' of "
                + entry
                + " = '"
                + serverName.get()
                + "' is not a host name ("
                + e.getMessage()
                + ")",
            e);
      }
    }
    KeyManager[] keyManagers = keyManagers(entry, s);
    hasKeyMaterial = keyManagers != null;
    try {
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(keyManagers, trustManagers(entry, s).getTrustManagers(), null);
      SSLParameters supported = ctx.getSupportedSSLParameters();
      protocols = list(entry, s, "protocols", supported.getProtocols());
      cipherSuites = list(entry, s, "cipher-suites", supported.getCipherSuites());
      checkUsable(entry, ctx, protocols, cipherSuites, supported);
      sslContext = ctx;
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot set up TLS for " + entry + ": " + e.getMessage(), e);
    }
    threads = LayerTimer.start("tls", context);
    closes =
        new LingeringClose.Shared(
            threads, this::linger, this::unlinger, TlsSocket.CLOSE_WAIT, "tls (" + described + ")");
  }

  @Override
  protected void onUnload() throws IOException {
    LayerTimer.stop(threads, "tls", context().entry());
  }

  /**
   * Returns a TLS socket over {@code below}.
   *
   * @throws UnsupportedOperationException if {@code below} is a datagram socket
   */
  @Override
  public ChainSocket wrap(ChainSocket below, StartupContext context) {
    if (below.type() != SocketType.STREAM) {
      throw new UnsupportedOperationException(
          "tls ("
              + described
              + ") wraps stream sockets only, not "
              + below.type()
              + " sockets of "
              + context.entry()
              + " (DTLS is not supported)");
    }
    return new TlsSocket(this, below);
  }

  /* ---- for TlsSocket ---- */

  /** Returns {@code entry 2001 'tls'}, for messages. */
  String described() {
    return described;
  }

  Duration handshakeTimeout() {
    return handshakeTimeout;
  }

  boolean handshakeOnAccept() {
    return handshakeOnAccept;
  }

  boolean hasKeyMaterial() {
    return hasKeyMaterial;
  }

  /** Returns a client engine for a connection to {@code host} (a name or an IP literal). */
  SSLEngine clientEngine(String host, int port) {
    String name = serverName.orElse(host);
    // The engine's peer host is the name checked against the certificate: with server-name set,
    // only that name counts (the JDK would otherwise fall back from the SNI name to the peer host).
    SSLEngine engine = sslContext.createSSLEngine(name, port);
    engine.setUseClientMode(true);
    SSLParameters p = engine.getSSLParameters();
    if (hostnameVerification) {
      p.setEndpointIdentificationAlgorithm("HTTPS");
    }
    if (!isIpLiteral(name)) {
      try {
        p.setServerNames(List.of(new SNIHostName(name)));
      } catch (IllegalArgumentException notAHostName) {
        p.setServerNames(List.of()); // as the JDK does for a peer host that SNI cannot carry
      }
    }
    configure(p);
    engine.setSSLParameters(p);
    return engine;
  }

  /** Returns a server engine. */
  SSLEngine serverEngine() {
    SSLEngine engine = sslContext.createSSLEngine();
    engine.setUseClientMode(false);
    SSLParameters p = engine.getSSLParameters();
    configure(p);
    engine.setSSLParameters(p);
    return engine;
  }

  private void configure(SSLParameters p) {
    if (!protocols.isEmpty()) {
      p.setProtocols(protocols.toArray(new String[0]));
    }
    if (!cipherSuites.isEmpty()) {
      p.setCipherSuites(cipherSuites.toArray(new String[0]));
    }
  }

  /** Returns the close of a socket over {@code below}; see {@link LingeringClose}. */
  LingeringClose closing(ReentrantLock lock, ChainSocket below, LingeringClose.Rest rest) {
    return new LingeringClose(lock, below, closes, rest);
  }

  static boolean isIpLiteral(String host) {
    return host.indexOf(':') >= 0 || IPV4_LITERAL.matcher(host).matches();
  }

  /* ---- settings ---- */

  private static Optional<String> nonEmpty(Settings s, String key) {
    return s.get(key).map(String::trim).filter(v -> !v.isEmpty());
  }

  private static List<String> list(CatalogEntry entry, Settings s, String key, String[] supported) {
    Optional<String> value = nonEmpty(s, key);
    if (value.isEmpty()) {
      return List.of();
    }
    List<String> wanted = new ArrayList<>();
    for (String v : value.get().split(",", -1)) {
      if (!v.trim().isEmpty()) {
        wanted.add(v.trim());
      }
    }
    List<String> unknown = new ArrayList<>(wanted);
    unknown.removeAll(Arrays.asList(supported));
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException(
          "setting '"
              + key
              + "' of "
              + entry
              + " = '"
              + value.get()
              + "' names what this JDK does not support: "
              + String.join(", ", unknown)
              + " (supported: "
              + String.join(", ", supported)
              + ")");
    }
    return Collections.unmodifiableList(wanted);
  }

  /**
   * Refuses protocols and cipher suites this JDK supports but will not use: disabled by {@code
   * jdk.tls.disabledAlgorithms} (TLSv1, anonymous suites), or suites of none of the protocols
   * enabled. Each is tried as the JDK would use it, in a client hello made without a peer: the only
   * check that knows what the running JDK and its security properties allow.
   */
  private static void checkUsable(
      CatalogEntry entry,
      SSLContext ctx,
      List<String> protocols,
      List<String> cipherSuites,
      SSLParameters supported) {
    List<String> disabled = new ArrayList<>();
    for (String p : protocols) {
      if (!helloWorks(ctx, List.of(p), List.of())) {
        disabled.add(p);
      }
    }
    if (!disabled.isEmpty()) {
      List<String> enabled = new ArrayList<>();
      for (String p : supported.getProtocols()) {
        if (helloWorks(ctx, List.of(p), List.of())) {
          enabled.add(p);
        }
      }
      throw new IllegalArgumentException(
          "setting 'protocols' of "
              + entry
              + " = '"
              + String.join(",", protocols)
              + "' names protocols this JDK supports but has disabled "
              + "(jdk.tls.disabledAlgorithms): "
              + String.join(", ", disabled)
              + " (enabled: "
              + String.join(", ", enabled)
              + ")");
    }
    List<String> unusable = new ArrayList<>();
    for (String c : cipherSuites) {
      // A signalling value (TLS_EMPTY_RENEGOTIATION_INFO_SCSV) is no suite; it goes with others.
      if (!c.endsWith("_SCSV") && !helloWorks(ctx, protocols, List.of(c))) {
        unusable.add(c);
      }
    }
    if (unusable.isEmpty()
        && !cipherSuites.isEmpty()
        && !helloWorks(ctx, protocols, cipherSuites)) {
      unusable.addAll(cipherSuites);
    }
    if (!unusable.isEmpty()) {
      List<String> usable = new ArrayList<>();
      for (String c : supported.getCipherSuites()) {
        if (helloWorks(ctx, protocols, List.of(c))) {
          usable.add(c);
        }
      }
      List<String> with =
          protocols.isEmpty() ? Arrays.asList(clientEngine(ctx).getEnabledProtocols()) : protocols;
      throw new IllegalArgumentException(
          "setting 'cipher-suites' of "
              + entry
              + " = '"
              + String.join(",", cipherSuites)
              + "' names cipher suites this JDK cannot use with protocols "
              + String.join(", ", with)
              + " (disabled by jdk.tls.disabledAlgorithms, or of another protocol version): "
              + String.join(", ", unusable)
              + " (usable: "
              + String.join(", ", usable)
              + ")");
    }
  }

  /**
   * Returns whether a client engine with these protocols and suites (empty: the JDK's) says hello.
   */
  private static boolean helloWorks(SSLContext ctx, List<String> protocols, List<String> suites) {
    try {
      SSLEngine e = clientEngine(ctx);
      SSLParameters p = e.getSSLParameters();
      if (!protocols.isEmpty()) {
        p.setProtocols(protocols.toArray(new String[0]));
      }
      if (!suites.isEmpty()) {
        p.setCipherSuites(suites.toArray(new String[0]));
      }
      e.setSSLParameters(p);
      ByteBuffer hello = ByteBuffer.allocate(e.getSession().getPacketBufferSize());
      e.beginHandshake();
      e.wrap(ByteBuffer.allocate(0), hello);
      return hello.position() > 0;
    } catch (SSLException | RuntimeException refused) {
      return false; // "No appropriate protocol (protocol is disabled or cipher suites are ...)"
    }
  }

  private static SSLEngine clientEngine(SSLContext ctx) {
    SSLEngine e = ctx.createSSLEngine("protochain.invalid", 443);
    e.setUseClientMode(true);
    return e;
  }

  private static KeyManager[] keyManagers(CatalogEntry entry, Settings s) throws IOException {
    Optional<String> key = nonEmpty(s, "key");
    Optional<String> cert = nonEmpty(s, "cert");
    Optional<String> keystore = nonEmpty(s, "keystore");
    Optional<String> password = s.get("keystore-password").filter(v -> !v.isEmpty());
    if (keystore.isPresent() && (key.isPresent() || cert.isPresent())) {
      throw new IllegalArgumentException(
          "settings 'key' and 'cert' of "
              + entry
              + " cannot be combined with 'keystore' (expected: key and cert, or keystore)");
    }
    if (password.isPresent() && keystore.isEmpty()) {
      throw new IllegalArgumentException(
          "setting 'keystore-password' of " + entry + " is set without 'keystore'");
    }
    if (key.isPresent() != cert.isPresent()) {
      String set = key.isPresent() ? "key" : "cert";
      String missing = key.isPresent() ? "cert" : "key";
      throw new IllegalArgumentException(
          "setting '" + set + "' of " + entry + " needs '" + missing + "' too");
    }
    try {
      KeyStore store;
      char[] storePassword;
      if (keystore.isPresent()) {
        storePassword = password.orElse("").toCharArray();
        store = pkcs12(entry, Path.of(keystore.get()), storePassword);
      } else if (key.isPresent()) {
        storePassword = MEMORY_PASSWORD;
        store = fromPem(entry, Path.of(key.get()), Path.of(cert.get()));
      } else {
        return null;
      }
      KeyManagerFactory kmf =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(store, storePassword);
      return kmf.getKeyManagers();
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot use the key material of " + entry + ": " + e.getMessage(), e);
    }
  }

  private static KeyStore pkcs12(CatalogEntry entry, Path file, char[] password)
      throws IOException, GeneralSecurityException {
    byte[] bytes;
    try {
      bytes = Pem.read(file);
    } catch (IOException e) {
      throw new IOException("setting 'keystore' of " + entry + ": " + e.getMessage(), e);
    }
    KeyStore store = KeyStore.getInstance("PKCS12");
    try {
      store.load(new ByteArrayInputStream(bytes), password);
    } catch (IOException e) {
      // KeyStore reports a wrong password as an IOException whose cause is
      // UnrecoverableKeyException.
      throw new IOException(
          "setting 'keystore' of "
              + entry
              + ": "
              + file
              + ": cannot read it as PKCS#12 ("
              + e.getMessage()
              + ")",
          e);
    }
    for (String alias : Collections.list(store.aliases())) {
      if (store.isKeyEntry(alias)) {
        return store;
      }
    }
    throw new IOException(
        "setting 'keystore' of " + entry + ": " + file + ": holds no private key entry");
  }

  private static KeyStore fromPem(CatalogEntry entry, Path keyFile, Path certFile)
      throws IOException, GeneralSecurityException {
    List<X509Certificate> chain;
    try {
      chain = Pem.certificates(certFile);
    } catch (IOException e) {
      throw new IOException("setting 'cert' of " + entry + ": " + e.getMessage(), e);
    }
    X509Certificate leaf = chain.get(0);
    PrivateKey key;
    try {
      key = Pem.privateKey(keyFile, leaf.getPublicKey().getAlgorithm());
    } catch (IOException e) {
      throw new IOException("setting 'key' of " + entry + ": " + e.getMessage(), e);
    }
    if (!belongTogether(key, leaf)) {
      throw new IOException(
          "settings 'key' and 'cert' of "
              + entry
              + " do not match: the key in "
              + keyFile
              + " does not belong to the first certificate in "
              + certFile
              + " ("
              + leaf.getSubjectX500Principal().getName()
              + ")");
    }
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    store.setKeyEntry("key", key, MEMORY_PASSWORD, chain.toArray(new X509Certificate[0]));
    return store;
  }

  /** Signs with the key and verifies with the certificate; true where no check is known. */
  private static boolean belongTogether(PrivateKey key, X509Certificate leaf)
      throws GeneralSecurityException {
    String algorithm;
    switch (key.getAlgorithm()) {
      case "RSA":
        algorithm = "SHA256withRSA";
        break;
      case "EC":
        algorithm = "SHA256withECDSA";
        break;
      case "EdDSA":
      case "Ed25519":
      case "Ed448":
        algorithm = key.getAlgorithm();
        break;
      default:
        return true; // RSASSA-PSS needs parameters; the handshake will tell
    }
    byte[] probe = "protochain key check".getBytes(StandardCharsets.US_ASCII);
    Signature signer = Signature.getInstance(algorithm);
    signer.initSign(key);
    signer.update(probe);
    byte[] signature = signer.sign();
    Signature verifier = Signature.getInstance(algorithm);
    verifier.initVerify(leaf.getPublicKey());
    verifier.update(probe);
    return verifier.verify(signature);
  }

  private static TrustManagerFactory trustManagers(CatalogEntry entry, Settings s)
      throws IOException, GeneralSecurityException {
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    Optional<String> trust = nonEmpty(s, "trust");
    if (trust.isEmpty()) {
      tmf.init((KeyStore) null);
      return tmf;
    }
    List<X509Certificate> certificates;
    try {
      certificates = Pem.certificates(Path.of(trust.get()));
    } catch (IOException e) {
      throw new IOException("setting 'trust' of " + entry + ": " + e.getMessage(), e);
    }
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    for (int i = 0; i < certificates.size(); i++) {
      store.setCertificateEntry("trusted-" + (i + 1), certificates.get(i));
    }
    tmf.init(store);
    return tmf;
  }
}
