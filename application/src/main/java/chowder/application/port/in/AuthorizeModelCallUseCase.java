package chowder.application.port.in;

import static java.util.Objects.requireNonNull;

import chowder.domain.InstanceId;
import chowder.domain.ModelApi;
import chowder.domain.ModelApiKey;
import chowder.domain.ModelProviderName;
import chowder.domain.ModelTokens;
import chowder.domain.OrganizationId;
import java.net.URI;
import java.util.Optional;
import java.util.Set;

/**
 * Lets a provisioned gateway's model call through Chowder's model endpoint: the gateway presents the credential
 * Chowder gave it for its instance, never a provider key; Chowder chooses the key, checks rates and budgets (reserving
 * an estimate of the call's tokens) and meters the call.
 */
public interface AuthorizeModelCallUseCase {
    /**
     * Throws {@code INVALID_API_KEY} for a credential no running instance holds, {@code PERMISSION_DENIED} when the
     * instance may not use {@code provider}, {@code ORGANIZATION_SUSPENDED} while its organization is suspended. Checks no limit: that is {@link ModelCallAdmission#admit}, once the call's
     * body is known.
     */
    ModelCallGrant authorize(String credential, ModelProviderName provider);

    /**
     * For which organization and instance, where the call goes, in which format, the models it may name (those the
     * operator offers with the provider), with which key (none for a provider that needs none), on whose account, and
     * how it is admitted.
     */
    record ModelCallGrant(OrganizationId organization, InstanceId instance, URI baseUrl, ModelApi api, Set<String> models,
            Optional<ModelApiKey> key, Account account, ModelCallAdmission admission) {
        public ModelCallGrant {
            requireNonNull(organization, "organization is null");
            requireNonNull(instance, "instance is null");
            requireNonNull(baseUrl, "baseUrl is null");
            requireNonNull(api, "api is null");
            models = Set.copyOf(models);
            requireNonNull(key, "key is null");
            requireNonNull(account, "account is null");
            requireNonNull(admission, "admission is null");
        }

        @Override
        public String toString() {
            return "ModelCallGrant[" + baseUrl + " " + api + " " + account + "]";
        }
    }

    /**
     * Whose provider account a call runs on: the organization's own key, or the operator's (its key, or a provider of
     * its own that needs none), which every organization allowed to use it shares.
     */
    enum Account {
        ORGANIZATION,
        OPERATOR
    }

    /** The second step of a call, once its body passed: its organization's rate and budgets. */
    @FunctionalInterface
    interface ModelCallAdmission {
        /**
         * Takes one model call from the organization's rate and reserves {@code estimatedTokens} in each of its token
         * budgets; throws {@code LimitExceededException} when one is spent (nothing stays taken then). The meter returned
         * must be told exactly once, when the call ended.
         */
        ModelCallMeter admit(long estimatedTokens);
    }

    /** Told once per admitted call, when it ended: the tokens to charge (what the provider reported, else an estimate). */
    @FunctionalInterface
    interface ModelCallMeter {
        void finished(ModelTokens tokens);
    }
}
