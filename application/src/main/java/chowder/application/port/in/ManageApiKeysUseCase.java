package chowder.application.port.in;

import chowder.domain.ApiKey;
import chowder.domain.ApiKeyId;
import chowder.domain.Caller;
import java.util.List;

/** The keys of the caller's organization; organization keys only. Another organization's key is not found. */
public interface ManageApiKeysUseCase {
    NewApiKey create(CreateApiKeyCommand command);

    List<ApiKey> list(Caller caller);

    ApiKey get(Caller caller, ApiKeyId id);

    /** Revocation is immediate and irreversible. */
    void revoke(Caller caller, ApiKeyId id);
}
