package chowder.bootstrap;

import chowder.adapter.persistence.MasterKey;
import chowder.adapter.persistence.MasterKeyRotation;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Map;
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
final class MasterKeyRotateCommand extends StoreCommand {
    MasterKeyRotateCommand(Map<String, String> env, PrintWriter out) {
        super(env, out);
    }

    @Override
    Object run(ChowderRuntime runtime, ChowderConfig config) throws Exception {
        MasterKey next = MasterKey.generate(new SecureRandom());
        Path keyFile = config.dataDir().resolve(MasterKeys.FILE_NAME);
        Path nextFile = config.dataDir().resolve(MasterKeys.FILE_NAME + ".next");
        boolean fileBased = config.masterKey().isEmpty();
        if (fileBased) {
            Files.deleteIfExists(nextFile);
            Files.createFile(nextFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(nextFile, next.toBase64() + "\n", StandardCharsets.US_ASCII);
        }
        int rotated = runtime.get(MasterKeyRotation.class).rotateTo(next);
        ObjectNode answer = JSON.createObjectNode().put("rotated_tokens", rotated);
        if (fileBased) {
            Files.move(nextFile, keyFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            answer.put("master_key_file", keyFile.toString());
        } else {
            answer.put("master_key", next.toBase64());
            answer.put("next_step", "set CHOWDER_MASTER_KEY to master_key on every node, then start them");
        }
        return answer;
    }
}
