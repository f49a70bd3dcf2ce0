package chowder.bootstrap;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The hexagon's dependency rules, checked over the compiled main classes of every module. */
@AnalyzeClasses(packages = "chowder", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    @ArchTest
    static final ArchRule domainDependsOnTheJdkOnly = classes().that().resideInAPackage("chowder.domain..")
            .should().onlyDependOnClassesThat().resideInAnyPackage("chowder.domain..", "java..");

    @ArchTest
    static final ArchRule applicationDependsOnTheDomainOnly = classes().that().resideInAPackage("chowder.application..")
            .should().onlyDependOnClassesThat().resideInAnyPackage("chowder.application..", "chowder.domain..", "java..");

    @ArchTest
    static final ArchRule adaptersNeverDependOnEachOther = slices().matching("chowder.adapter.(*)..")
            .should().notDependOnEachOther();

    @ArchTest
    static final ArchRule onlyBootstrapSeesBootstrap = noClasses().that().resideOutsideOfPackage("chowder.bootstrap..")
            .should().dependOnClassesThat().resideInAPackage("chowder.bootstrap..");

    @ArchTest
    static final ArchRule innerLayersNeverSeeAdapters = noClasses().that().resideInAnyPackage("chowder.domain..", "chowder.application..")
            .should().dependOnClassesThat().resideInAnyPackage("chowder.adapter..", "chowder.bootstrap..");

    @ArchTest
    static final ArchRule productionCodeNeverUsesTestDoubles = noClasses().that().resideOutsideOfPackage("chowder.testing..")
            .should().dependOnClassesThat().resideInAPackage("chowder.testing..");
}
