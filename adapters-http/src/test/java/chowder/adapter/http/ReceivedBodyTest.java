package chowder.adapter.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ReceivedBodyTest {
    // The smallest G1 region is 1 MiB: an array of half of it or more is humongous.
    private static final int SMALLEST_HUMONGOUS = 512 * 1024;
    private static final long NO_LIMIT = Long.MAX_VALUE;
    private static final LongConsumer NOTHING_RESERVED = bytes -> {};

    @Test
    void aLargeBodyIsHeldWholeInPartsThatAreNeverHumongous() throws IOException {
        byte[] sent = randomBytes(10 * 1024 * 1024 + 17);
        for (long declared : new long[] {sent.length, -1}) {
            ReceivedBody body = readToItsEnd(trickling(sent), declared, NO_LIMIT, IllegalStateException::new);

            assertEquals(sent.length, body.length());
            List<ByteBuffer> views = body.slice(0, body.length());
            for (ByteBuffer view : views) {
                assertTrue(view.remaining() < SMALLEST_HUMONGOUS, "a part of " + view.remaining() + " bytes");
            }
            assertArrayEquals(sent, joined(views));
            assertArrayEquals(sent, body.stream().readAllBytes());
        }
    }

    /** As the relay reads a body: its first part, then the rest through the parser's stream, ending anywhere in a part. */
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 4096, 4096 + 8192, 4096 + 8192 + 1, 64 * 1024, 64 * 1024 + 1, 3 * 1024 * 1024 + 5})
    void aBodyReadThroughItsStreamIsTheWholeBodyWhateverItsLengthAndDeclaration(int length) throws IOException {
        byte[] sent = randomBytes(length);
        for (long declared : new long[] {length, -1}) {
            ReceivedBody body = ReceivedBody.begin(trickling(sent), declared, NO_LIMIT, IllegalStateException::new, NOTHING_RESERVED);

            assertArrayEquals(sent, body.stream().readAllBytes(), "declared " + declared);
            assertTrue(body.ended());
            assertEquals(length, body.length());
            assertArrayEquals(sent, joined(body.slice(0, body.length())));
            for (ByteBuffer view : body.slice(0, body.length())) {
                assertTrue(view.remaining() < SMALLEST_HUMONGOUS, "a part of " + view.remaining() + " bytes");
            }
        }
    }

    @Test
    @Timeout(60)
    void aZeroLengthReadReturnsAtOnceThoughTheClientSendsNothingMore() throws Exception {
        PipedInputStream client = new PipedInputStream(256 * 1024);
        PipedOutputStream sending = new PipedOutputStream(client);
        sending.write(randomBytes(100 * 1024));
        ReceivedBody body = ReceivedBody.begin(client, 200 * 1024, NO_LIMIT, IllegalStateException::new, NOTHING_RESERVED);
        InputStream reader = body.stream();
        reader.readNBytes(100 * 1024);

        // At the end of what arrived: a read of nothing must not wait for more (InputStream's contract; readNBytes asks so).
        assertEquals(0, reader.read(new byte[1], 0, 0));
        sending.close();
    }

    @Test
    @Timeout(60) // a read that waits for bytes the client has not sent would hang: it must fail instead
    void aBodyLargerThanItsFirstPartIsReadAsItsReaderAsksWithoutWaitingForTheRest() throws Exception {
        byte[] sent = randomBytes(300 * 1024);
        int sentFirst = 100 * 1024;
        PipedInputStream client = new PipedInputStream(sent.length);
        PipedOutputStream sending = new PipedOutputStream(client);
        sending.write(sent, 0, sentFirst);

        // The client has sent a third of its body and waits: the first part is there, and the reader gets what came.
        ReceivedBody body = ReceivedBody.begin(client, sent.length, NO_LIMIT, IllegalStateException::new, NOTHING_RESERVED);
        assertFalse(body.ended());
        InputStream reader = body.stream();
        assertArrayEquals(Arrays.copyOf(sent, sentFirst), reader.readNBytes(sentFirst));
        assertThrows(IllegalStateException.class, () -> body.slice(0, 1), "offsets are those of the whole body, once it ended");

        sending.write(sent, sentFirst, sent.length - sentFirst);
        sending.close();
        assertArrayEquals(Arrays.copyOfRange(sent, sentFirst, sent.length), reader.readAllBytes());
        assertTrue(body.ended());
        assertArrayEquals(sent, joined(body.slice(0, body.length())));
    }

    @Test
    void aBodyShorterThanItsDeclaredLengthIsWhatArrived() throws IOException {
        byte[] sent = randomBytes(100);

        ReceivedBody body = readToItsEnd(new ByteArrayInputStream(sent), 10L * 1024 * 1024, NO_LIMIT, IllegalStateException::new);

        assertEquals(100, body.length());
        assertArrayEquals(sent, body.onlyPart());
    }

    @Test
    void moreThanTheLimitIsRefusedWithTheGivenException() {
        byte[] sent = randomBytes(3 * 1024 * 1024);
        IllegalStateException tooLarge = new IllegalStateException("too large");

        assertSame(tooLarge, assertThrows(IllegalStateException.class,
                () -> readToItsEnd(trickling(sent), -1, 2 * 1024 * 1024, () -> tooLarge)));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 100, 64 * 1024, 3 * 1024 * 1024 + 5})
    void everyPartIsReservedBeforeItIsHeldAndTheReservationsAddUpToLittleMoreThanTheBody(int length) throws IOException {
        byte[] sent = randomBytes(length);
        for (long declared : new long[] {length, -1}) {
            AtomicLong reserved = new AtomicLong();
            ReceivedBody body = ReceivedBody.begin(trickling(sent), declared, NO_LIMIT, IllegalStateException::new, reserved::addAndGet);
            body.stream().transferTo(OutputStream.nullOutputStream());

            long held = body.slice(0, body.length()).stream().mapToLong(ByteBuffer::remaining).sum();
            assertTrue(reserved.get() >= held, "reserved " + reserved + " for " + held + " bytes held, declared " + declared);
            // Parts double up to a bound: what is reserved beyond the body is at most the last part's unused room.
            assertTrue(reserved.get() <= Math.max(4096, length + ReceivedBody.LARGEST_PART), "reserved " + reserved + " for " + length);
        }
    }

    @Test
    void aRefusedReservationStopsTheBodyBeforeItsPartIsAllocatedOrMoreIsRead() throws IOException {
        byte[] sent = randomBytes(1024 * 1024);
        ByteArrayInputStream client = new ByteArrayInputStream(sent);
        IllegalStateException full = new IllegalStateException("full");
        AtomicLong reserved = new AtomicLong();
        LongConsumer upTo100k = bytes -> {
            if (reserved.get() + bytes > 100 * 1024) {
                throw full;
            }
            reserved.addAndGet(bytes);
        };

        assertSame(full, assertThrows(IllegalStateException.class,
                () -> ReceivedBody.begin(client, sent.length, NO_LIMIT, IllegalStateException::new, upTo100k)));

        // The first part (64 KiB) was held and filled; its successor (128 KiB) was refused, and nothing more was read.
        assertEquals(64 * 1024, reserved.get());
        assertEquals(sent.length - 64 * 1024, client.available());
    }

    /** The body read to its end as the relay reads it: its first part, then the rest through the parser's stream. */
    private static ReceivedBody readToItsEnd(InputStream in, long declared, long limit, Supplier<RuntimeException> tooLarge)
            throws IOException {
        ReceivedBody body = ReceivedBody.begin(in, declared, limit, tooLarge, NOTHING_RESERVED);
        body.stream().transferTo(OutputStream.nullOutputStream());
        return body;
    }

    /** The bytes in reads of varying sizes, as a network delivers them. */
    private static InputStream trickling(byte[] bytes) {
        Random sizes = new Random(7);
        ByteArrayInputStream all = new ByteArrayInputStream(bytes);
        return new InputStream() {
            @Override
            public int read() {
                return all.read();
            }

            @Override
            public int read(byte[] buffer, int offset, int length) {
                return all.read(buffer, offset, Math.min(length, 1 + sizes.nextInt(100_000)));
            }
        };
    }

    private static byte[] randomBytes(int count) {
        byte[] bytes = new byte[count];
        new Random(count).nextBytes(bytes);
        return bytes;
    }

    private static byte[] joined(List<ByteBuffer> views) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (ByteBuffer view : views) {
            byte[] part = new byte[view.remaining()];
            view.duplicate().get(part);
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
