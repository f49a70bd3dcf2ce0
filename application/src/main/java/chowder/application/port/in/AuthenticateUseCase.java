package chowder.application.port.in;

import chowder.domain.Caller;

/** Turns the key a request presents into the caller it stands for, or throws a 401-coded error (403 while its organization is suspended). */
public interface AuthenticateUseCase {
    /** @param presentedKey the bearer token of the request, or null when it sent none */
    Caller authenticate(String presentedKey);
}
