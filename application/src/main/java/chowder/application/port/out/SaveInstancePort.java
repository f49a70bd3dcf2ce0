package chowder.application.port.out;

import chowder.domain.Instance;

/** Stores a new instance durably (its gateway token encrypted) before returning. */
public interface SaveInstancePort {
    void insert(Instance instance);
}
