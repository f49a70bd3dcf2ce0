package chowder.e2e;

import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.ClassDescriptor;
import org.junit.jupiter.api.ClassOrderer;
import org.junit.jupiter.api.ClassOrdererContext;

/**
 * Starts the classes that take longest first, so that a run with two classes at a time ({@code junit-platform.properties})
 * does not end with one long class running alone. Each Channels class is followed by others, so that the next one,
 * which waits for the shared Telegram environment's lock, does not hold a slot while it waits. The rest keep JUnit's
 * order. The list comes from measured class times (docs/testing.md); a class missing from it only runs later.
 */
public final class SlowestFirst implements ClassOrderer {
    private static final List<Class<?>> SLOWEST = List.of(LocalProvisionerTest.class, ChannelsPluginTest.class,
            SkillsEndToEndTest.class, CrashSafetyTest.class, ModelEgressEndToEndTest.class, ChannelsConnectionLifecycleTest.class,
            GatewayLifecycleTest.class, SandboxEscapeProcessTest.class, ChannelsPairingTest.class);

    @Override
    public void orderClasses(ClassOrdererContext context) {
        context.getClassDescriptors().sort(Comparator.comparingInt(SlowestFirst::rank));
    }

    private static int rank(ClassDescriptor descriptor) {
        int index = SLOWEST.indexOf(descriptor.getTestClass());
        return index < 0 ? SLOWEST.size() : index;
    }
}
