package chowder.adapter.openclaw;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import chowder.domain.MemoryBudget;
import chowder.domain.OrganizationId;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Cutting an event stream into whole events, whatever chunks it arrives in. */
class SseEventSplitterTest {
    private static final List<String> EVENTS = List.of(
            "event: response.created\ndata: {\"type\":\"response.created\"}\n\n",
            "event: response.output_text.delta\r\ndata: {\"delta\":\"a\\nb\"}\r\n\r\n",
            ": a comment\n\n",
            "data: x\r\n\n",
            "data: y\n\r\n",
            "\n\n",
            "data: [DONE]\n\n");

    private final MemoryBudget buffered = new MemoryBudget(1L << 30, "busy", 1);

    @Test
    void eventsArriveWholeAndByteExactWhereverTheChunksAreCut() {
        byte[] stream = String.join("", EVENTS).getBytes(StandardCharsets.UTF_8);
        // Every cut in two, and every cut into chunks of every size: terminators cut between LF and CR LF included.
        for (int cut = 0; cut <= stream.length; cut++) {
            assertThat(split(1 << 20, List.of(slice(stream, 0, cut), slice(stream, cut, stream.length)))).as("cut at " + cut).isEqualTo(EVENTS);
        }
        for (int size = 1; size <= stream.length; size++) {
            List<byte[]> chunks = new ArrayList<>();
            for (int offset = 0; offset < stream.length; offset += size) {
                chunks.add(slice(stream, offset, Math.min(stream.length, offset + size)));
            }
            assertThat(split(1 << 20, chunks)).as("chunks of " + size).isEqualTo(EVENTS);
        }
    }

    @Test
    void anEventInOneChunkIsAViewOfItAndOnlyAnEventAcrossChunksIsCopied() {
        SseEventSplitter splitter = new SseEventSplitter(1 << 20, buffered.open(OrganizationId.random()));
        ByteBuffer first = ByteBuffer.wrap("data: 1\n\ndata: 2\n\ndata: ".getBytes(StandardCharsets.UTF_8));
        ByteBuffer one = splitter.next(first);
        assertThat(one.array()).isSameAs(first.array());
        splitter.relayed();
        assertThat(splitter.next(first).array()).isSameAs(first.array());
        splitter.relayed();
        assertThat(splitter.next(first)).as("the start of the third event is carried over").isNull();
        ByteBuffer second = ByteBuffer.wrap("3\n\n".getBytes(StandardCharsets.UTF_8));
        ByteBuffer three = splitter.next(second);
        assertThat(three.array()).isNotSameAs(first.array()).isNotSameAs(second.array());
        assertThat(text(three)).isEqualTo("data: 3\n\n");
    }

    @Test
    void aStreamThatEndsInsideAnEventFailsButTrailingBlankLinesEndItCleanly() {
        SseEventSplitter cut = new SseEventSplitter(1 << 20, buffered.open(OrganizationId.random()));
        ByteBuffer chunk = bytes("data: 1\n\ndata: {\"trunc");
        assertThat(text(cut.next(chunk))).isEqualTo("data: 1\n\n");
        cut.relayed();
        assertThat(cut.next(chunk)).isNull();
        assertThatThrownBy(cut::end).isInstanceOfSatisfying(ChowderException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.GATEWAY_FAILED);
            assertThat(e.getMessage()).isEqualTo("Gateway error – the stream ended in the middle of an event.");
        });

        SseEventSplitter blank = new SseEventSplitter(1 << 20, buffered.open(OrganizationId.random()));
        ByteBuffer trailing = bytes("data: 1\n\n\r\n ");
        assertThat(text(blank.next(trailing))).isEqualTo("data: 1\n\n");
        blank.relayed();
        assertThat(blank.next(trailing)).isNull();
        blank.end();
    }

    @Test
    void anEventLargerThanTheLimitIsAGatewayFailureWhetherWholeOrCarried() {
        String atLimit = "data: " + "x".repeat(32 - 8) + "\n\n";
        assertThat(atLimit).hasSize(32);
        assertThat(split(32, List.of(atLimit.getBytes(StandardCharsets.UTF_8)))).containsExactly(atLimit);
        byte[] split = atLimit.getBytes(StandardCharsets.UTF_8);
        assertThat(split(32, List.of(slice(split, 0, 31), slice(split, 31, 32)))).containsExactly(atLimit);

        byte[] over = ("data: " + "x".repeat(32 - 7) + "\n\n").getBytes(StandardCharsets.UTF_8);
        for (List<byte[]> chunks : List.of(List.of(over), List.of(slice(over, 0, 10), slice(over, 10, over.length)),
                List.of(slice(over, 0, 31), slice(over, 31, over.length)))) {
            assertThatThrownBy(() -> split(32, chunks)).isInstanceOfSatisfying(ChowderException.class,
                    e -> assertThat(e.getMessage()).isEqualTo("Gateway error – a stream event is larger than the limit of 32 bytes."));
        }
    }

    @Test
    void aLargeCarriedEventIsCountedUntilItWasRelayed() {
        MemoryBudget.Hold hold = buffered.open(OrganizationId.random());
        SseEventSplitter splitter = new SseEventSplitter(1 << 20, hold);
        String large = "data: " + "z".repeat(100 * 1024) + "\n\n";
        byte[] bytes = large.getBytes(StandardCharsets.UTF_8);
        assertThat(splitter.next(ByteBuffer.wrap(bytes, 0, 50 * 1024))).isNull();
        assertThat(buffered.total()).as("the carry buffer beyond a read size").isPositive();
        ByteBuffer event = splitter.next(ByteBuffer.wrap(bytes, 50 * 1024, bytes.length - 50 * 1024));
        assertThat(text(event)).isEqualTo(large);
        assertThat(buffered.total()).as("counted while it is relayed").isGreaterThanOrEqualTo(bytes.length - SseEventSplitter.READ_SIZE);
        splitter.relayed();
        assertThat(buffered.total()).isZero();

        assertThat(splitter.next(ByteBuffer.wrap(bytes, 0, 50 * 1024))).isNull();
        assertThat(buffered.total()).isPositive();
        splitter.close();
        assertThat(buffered.total()).isZero();
    }

    /** Feeds the chunks, relaying each event at once; the events as text, after a clean end. */
    private List<String> split(int maxEventBytes, List<byte[]> chunks) {
        SseEventSplitter splitter = new SseEventSplitter(maxEventBytes, buffered.open(OrganizationId.random()));
        List<String> events = new ArrayList<>();
        for (byte[] chunk : chunks) {
            ByteBuffer buffer = ByteBuffer.wrap(chunk);
            for (ByteBuffer event = splitter.next(buffer); event != null; event = splitter.next(buffer)) {
                events.add(text(event));
                splitter.relayed();
            }
            assertThat(buffer.hasRemaining()).isFalse();
        }
        splitter.end();
        splitter.close();
        return events;
    }

    private static byte[] slice(byte[] bytes, int from, int to) {
        return java.util.Arrays.copyOfRange(bytes, from, to);
    }

    private static ByteBuffer bytes(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String text(ByteBuffer event) {
        return StandardCharsets.UTF_8.decode(event.duplicate()).toString();
    }
}
