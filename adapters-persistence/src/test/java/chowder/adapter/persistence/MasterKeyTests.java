package chowder.adapter.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import chowder.application.port.out.LoadInstancePort;
import chowder.application.port.out.SaveInstancePort;
import chowder.application.port.out.StoreHealthPort;
import chowder.domain.Instance;
import chowder.domain.Organization;
import com.google.inject.Injector;
import org.junit.jupiter.api.Test;

/** Only the database's master key reads its secrets; the check of it recorded in the database moves with a rotation. */
abstract class MasterKeyTests extends DatabaseTest {
    @Test
    void aDifferentMasterKeyCannotReadTheTokensAndSaysWhy() {
        Organization acme = organization("Acme");
        Instance instance = instance(acme, "bot", now, "token-secret");
        injector.getInstance(SaveInstancePort.class).insertWithinLimit(instance, 0);

        Injector other = injectorFor(MasterKey.generate(RANDOM));
        try {
            assertThatThrownBy(() -> other.getInstance(LoadInstancePort.class).findById(instance.id()))
                    .hasMessageContaining("master key differs")
                    .message().doesNotContain("token-secret");
        } finally {
            DatabaseNodes.close(other);
        }
    }

    @Test
    void onlyTheDatabasesMasterKeyPassesItsCheckAndARotationMovesTheCheck() {
        MasterKeyVerification node = injector.getInstance(MasterKeyVerification.class);
        assertThat(node.verifyOrRecord()).isEqualTo(MasterKeyVerification.Outcome.RECORDED);
        assertThat(node.verifyOrRecord()).isEqualTo(MasterKeyVerification.Outcome.MATCHES);
        String stored = jdbi().withHandle(handle ->
                handle.createQuery("SELECT check_value FROM master_key_check").mapTo(String.class).one());
        assertThat(stored).startsWith("v1:").doesNotContain(masterKey.toBase64());
        Injector other = injectorFor(MasterKey.generate(RANDOM));
        try {
            assertThat(other.getInstance(MasterKeyVerification.class).verifyOrRecord()).isEqualTo(MasterKeyVerification.Outcome.DIFFERS);
        } finally {
            DatabaseNodes.close(other);
        }

        MasterKey next = MasterKey.generate(RANDOM);
        injector.getInstance(MasterKeyRotation.class).rotateTo(next);
        assertThatThrownBy(() -> injector.getInstance(StoreHealthPort.class).requireReady())
                .hasMessageContaining("master key changed (another process rotated it)");
        Injector rotated = injectorFor(next);
        try {
            assertThat(rotated.getInstance(MasterKeyVerification.class).verifyOrRecord()).isEqualTo(MasterKeyVerification.Outcome.MATCHES);
            rotated.getInstance(StoreHealthPort.class).requireReady();
        } finally {
            DatabaseNodes.close(rotated);
        }
    }

    @Test
    void aDatabaseFromBeforeTheCheckRecordsOnlyTheKeyItsTokensAreEncryptedWith() {
        stored(organization("Acme"), "bot", "token-secret");
        Injector other = injectorFor(MasterKey.generate(RANDOM));
        try {
            assertThat(other.getInstance(MasterKeyVerification.class).verifyOrRecord()).isEqualTo(MasterKeyVerification.Outcome.DIFFERS);
        } finally {
            DatabaseNodes.close(other);
        }
        assertThat(injector.getInstance(MasterKeyVerification.class).verifyOrRecord()).isEqualTo(MasterKeyVerification.Outcome.RECORDED);
    }
}
