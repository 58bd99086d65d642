// Creates or updates one SCRAM credential on the local broker through the Admin API (KRaft keeps it in
// the metadata log), so the stack's SASL listener has a user. The password is read from stdin, never
// from the command line, so it does not show in the process list. Run by scripts/stack/stack.sh:
//
//   java -cp '<kafka libs>/*' ScramUser.java BOOTSTRAP MECHANISM USER < password
//
// MECHANISM is SCRAM-SHA-256 or SCRAM-SHA-512. Exits 0 once the broker lists the credential.
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.admin.UserScramCredentialsDescription;

public class ScramUser {
  private static final int ITERATIONS = 8192;

  public static void main(String[] args) throws Exception {
    if (args.length != 3) {
      System.err.println("usage: ScramUser BOOTSTRAP MECHANISM USER < password");
      System.exit(2);
    }
    String bootstrap = args[0];
    ScramMechanism mechanism = ScramMechanism.fromMechanismName(args[1]);
    if (mechanism == ScramMechanism.UNKNOWN) {
      System.err.println("unknown SCRAM mechanism " + args[1]);
      System.exit(2);
    }
    String user = args[2];
    String password =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
    if (password == null || password.isEmpty()) {
      System.err.println("no password on stdin");
      System.exit(2);
    }
    Map<String, Object> config =
        Map.of(
            AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
            AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000,
            AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    try (Admin admin = Admin.create(config)) {
      admin
          .alterUserScramCredentials(
              List.of(
                  new UserScramCredentialUpsertion(
                      user, new ScramCredentialInfo(mechanism, ITERATIONS), password)))
          .all()
          .get(30, TimeUnit.SECONDS);
      UserScramCredentialsDescription description =
          admin.describeUserScramCredentials(List.of(user)).description(user).get(30, TimeUnit.SECONDS);
      boolean listed =
          description.credentialInfos().stream().anyMatch(info -> info.mechanism() == mechanism);
      if (!listed) {
        System.err.println("the broker does not list the " + args[1] + " credential of " + user);
        System.exit(1);
      }
      System.out.println("SCRAM credential " + args[1] + " for " + user + " is in place");
    }
  }
}
