package chowder.bootstrap;

import chowder.adapter.persistence.MasterKey;
import chowder.adapter.persistence.MasterKeyFile;
import chowder.adapter.persistence.MasterKeyRotation;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.security.SecureRandom;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/**
 * {@code chowder master-key rotate}: re-encrypts every stored secret (gateway tokens, skill settings, organizations'
 * model keys) under a new master key in one transaction. With a key file, the new key is first written beside it as {@code master.key.next}
 * and moved over {@code master.key} once the database committed, so no crash loses the key in use.
 * With {@code CHOWDER_MASTER_KEY}, the new key is printed for the operator to deploy.
 */
@Command(name = "rotate", description = "Re-encrypt every stored secret (gateway tokens, skill settings, model keys) under a new master key "
        + "(stop the servers first).",
        mixinStandardHelpOptions = true)
final class MasterKeyRotateCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, String> env;
    private final PrintWriter out;

    MasterKeyRotateCommand(Map<String, String> env, PrintWriter out) {
        this.env = env;
        this.out = out;
    }

    @Override
    public Integer call() throws Exception {
        ChowderConfig config = ChowderConfig.fromEnvironment(env);
        ObjectNode answer;
        try (ChowderRuntime runtime = ChowderRuntime.openExisting(config, env).startStore()) {
            answer = rotate(runtime, config);
        }
        out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(answer));
        out.flush();
        return 0;
    }

    private static ObjectNode rotate(ChowderRuntime runtime, ChowderConfig config) throws Exception {
        MasterKey next = MasterKey.generate(new SecureRandom());
        // With a key file, the next key is written beside it first: a crash between the commit and the move keeps both.
        Optional<MasterKeyFile.Replacement> replacement = config.masterKey().isEmpty()
                ? Optional.of(MasterKeyFile.in(config.dataDir()).prepareReplacement(next)) : Optional.empty();
        int rotated = runtime.get(MasterKeyRotation.class).rotateTo(next);
        ObjectNode answer = JSON.createObjectNode().put("rotated_tokens", rotated);
        if (replacement.isPresent()) {
            replacement.get().commit();
            answer.put("master_key_file", replacement.get().file().toString());
        } else {
            answer.put("master_key", next.toBase64());
            answer.put("next_step", "set CHOWDER_MASTER_KEY to master_key on every node, then start them");
        }
        return answer;
    }
}
