package chowder.e2e;

import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.ClassDescriptor;
import org.junit.jupiter.api.ClassOrderer;
import org.junit.jupiter.api.ClassOrdererContext;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * Runs the classes that share an environment ({@link SharedEnvironment}) one after another, where the first of them
 * would run in JUnit's own order, and remembers the last of each group, so that the environment is closed when that
 * class ends instead of when the run does. A live gateway costs CPU even when no test talks to it (about a tenth of a
 * core each, measured), and the suite is bound by CPU. Classes of no group keep JUnit's order.
 */
public final class GroupedClassOrder implements ClassOrderer {
    private static final Map<Class<?>, Class<?>> LAST_OF_GROUP = new ConcurrentHashMap<>();

    @Override
    public void orderClasses(ClassOrdererContext context) {
        List<? extends ClassDescriptor> classes = context.getClassDescriptors();
        Map<Class<?>, Integer> firstOfGroup = new HashMap<>();
        Map<ClassDescriptor, Integer> position = new HashMap<>();
        for (int i = 0; i < classes.size(); i++) {
            ClassDescriptor descriptor = classes.get(i);
            int at = i;
            Optional<Class<?>> group = group(descriptor.getTestClass());
            position.put(descriptor, group.map(shared -> firstOfGroup.computeIfAbsent(shared, unused -> at)).orElse(at));
            // The sort below is stable and gives a group's classes one position: their last here is their last there.
            group.ifPresent(shared -> LAST_OF_GROUP.put(shared, descriptor.getTestClass()));
        }
        classes.sort(Comparator.comparingInt(position::get));
    }

    /** Whether {@code testClass} is the last class of the run that uses the environment {@code shared} resolves. */
    static boolean isLastUserOf(Class<?> shared, Class<?> testClass) {
        return LAST_OF_GROUP.get(shared) == testClass;
    }

    /** The {@link SharedEnvironment} a class is extended with, if any (on it or a superclass). */
    private static Optional<Class<?>> group(Class<?> testClass) {
        return AnnotationSupport.findRepeatableAnnotations(testClass, ExtendWith.class).stream()
                .flatMap(extendWith -> Arrays.stream(extendWith.value()))
                .filter(SharedEnvironment.class::isAssignableFrom)
                .<Class<?>>map(type -> type)
                .findFirst();
    }
}
