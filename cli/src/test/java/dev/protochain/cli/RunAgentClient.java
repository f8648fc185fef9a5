package dev.protochain.cli;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * An unmodified client for {@link RunAgentIT}: nothing of protochain, the JDK's {@link HttpClient}
 * alone. {@code URL CODE}: prints the body of a GET of URL and exits with CODE.
 */
public final class RunAgentClient {

  private RunAgentClient() {}

  public static void main(String[] args) throws Exception {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    HttpResponse<String> response =
        client.send(
            HttpRequest.newBuilder(URI.create(args[0])).timeout(Duration.ofSeconds(30)).build(),
            HttpResponse.BodyHandlers.ofString());
    System.out.print(response.body());
    System.out.flush();
    System.exit(Integer.parseInt(args[1]));
  }
}
