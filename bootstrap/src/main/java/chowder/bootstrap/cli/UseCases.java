package chowder.bootstrap.cli;

/** The use cases an operator command drives (in-ports only: a command never reaches past them). */
@FunctionalInterface
public interface UseCases {
    <T> T get(Class<T> useCase);
}
