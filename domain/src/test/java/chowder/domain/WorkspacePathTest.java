package chowder.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WorkspacePathTest {

    @Test
    void aRelativePathKeepsItsSegmentsAndName() {
        WorkspacePath path = WorkspacePath.of("notes/2026/todo.md", "path", false);
        assertThat(path.value()).isEqualTo("notes/2026/todo.md");
        assertThat(path.segments()).containsExactly("notes", "2026", "todo.md");
        assertThat(path.name()).isEqualTo("todo.md");
        assertThat(path.isRoot()).isFalse();
    }

    @Test
    void trailingSlashesNameTheSameDirectory() {
        assertThat(WorkspacePath.of("notes///", "path", false)).isEqualTo(new WorkspacePath("notes"));
    }

    @Test
    void nothingOrADotIsTheWorkspaceWhereTheRootIsAllowedOnly() {
        for (String root : new String[] {null, "", "."}) {
            assertThat(WorkspacePath.of(root, "path", true)).isEqualTo(WorkspacePath.ROOT);
        }
        assertThat(WorkspacePath.ROOT.isRoot()).isTrue();
        assertThat(WorkspacePath.ROOT.segments()).isEmpty();
        assertThat(WorkspacePath.ROOT.name()).isEmpty();
        assertThatThrownBy(() -> WorkspacePath.of(".", "path", false))
                .isInstanceOfSatisfying(ChowderException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
                    assertThat(e.getMessage()).startsWith("path is required");
                });
    }

    @ParameterizedTest
    @ValueSource(strings = {"/", "/etc/passwd", "../secrets", "notes/../../x", "notes/./x", "notes//x", "a\\b", "a\u0000b", "tab\there",
            "new\nline", "c1\u0085control", "lone\ud800surrogate", "reversed\udc00\ud800pair"})
    void pathsThatCouldLeaveTheWorkspaceOrConfuseAStoreAreRefusedNamingTheField(String raw) {
        assertThatThrownBy(() -> WorkspacePath.of(raw, "destination", false))
                .isInstanceOfSatisfying(ChowderException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
                    assertThat(e.getMessage()).startsWith("destination must");
                });
    }

    @Test
    void whatAListingCanShowIsWhatAClientCouldName() {
        assertThat(WorkspacePath.isValid("")).isTrue();
        assertThat(WorkspacePath.isValid("notes/caf\u00e9 \ud83d\ude00.md")).isTrue();
        assertThat(WorkspacePath.isValid("report\\2024.txt")).isFalse();
        assertThat(WorkspacePath.isValid("a\ud800")).isFalse();
        assertThat(WorkspacePath.isValid("\ufffd".repeat(86))).as("86 undecodable bytes, 258 UTF-8 bytes").isFalse();
    }

    @Test
    void lengthsAreBoundedInCharactersAndSegmentBytes() {
        String segment = "é".repeat(127);
        assertThat(WorkspacePath.of(segment + "/" + segment, "path", false).segments()).hasSize(2);
        assertThatThrownBy(() -> WorkspacePath.of("é".repeat(128), "path", false))
                .hasMessageContaining("longer than 255 bytes");
        String atTheLimit = String.join("/", List.of("a".repeat(255), "b".repeat(255), "c".repeat(255), "d".repeat(254), "e"));
        assertThat(atTheLimit).hasSize(WorkspacePath.MAX_LENGTH);
        assertThat(WorkspacePath.of(atTheLimit, "path", false).value()).isEqualTo(atTheLimit);
        assertThatThrownBy(() -> WorkspacePath.of(atTheLimit + "f", "path", false))
                .hasMessageContaining("at most " + WorkspacePath.MAX_LENGTH + " characters");
    }
}
